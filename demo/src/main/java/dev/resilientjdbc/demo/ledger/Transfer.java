package dev.resilientjdbc.demo.ledger;

/** One money movement as the application meant it; {@code id} is the journal's primary key. */
public record Transfer(String id, int fromId, int toId, long amount) {
}
