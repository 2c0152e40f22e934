package dev.resilientjdbc.demo.ledger;

/**
 * A transfer the application saw fail.
 *
 * @param sqlState       the SQLException's SQLState ({@code null} as some drivers, e.g. sqlite-jdbc, report it)
 * @param exceptionClass the exception's class name
 * @param atCommit       whether {@code commit()} threw (rather than a statement before it)
 */
public record Failure(Transfer transfer, String sqlState, String exceptionClass, String message, boolean atCommit) {

    /** SQLState {@code 08007}: the driver says the commit may or may not have happened. */
    public boolean outcomeUnknown() {
        return "08007".equals(sqlState);
    }

    /** SQLState {@code 40001}: serialization failure, or a resilient replay that diverged. */
    public boolean serialization() {
        return "40001".equals(sqlState);
    }

    /**
     * {@code commit()} failed because the connection went away (SQLState class {@code 08} or
     * {@code 57P0x}), not counting {@code 08007}. A raw driver cannot know whether such a commit
     * happened.
     */
    public boolean connectionLostAtCommit() {
        return atCommit && sqlState != null && !outcomeUnknown()
                && (sqlState.startsWith("08") || sqlState.startsWith("57P0"));
    }
}
