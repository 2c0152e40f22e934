package dev.resilientjdbc.spring.app;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Money moves between accounts in {@code @Transactional} transfers over Boot's {@code JdbcTemplate}. Each transfer
 * is a journal row and two blind balance updates (in account order, so concurrent transfers never deadlock). The
 * journal has no key on purpose: a transfer applied twice shows up as two rows, not as an error.
 */
@Service
public class Ledger {
    private final JdbcTemplate jdbc;

    public Ledger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    public void setUp(String run, int accounts, long balance) {
        jdbc.execute("CREATE TABLE IF NOT EXISTS accounts(run text NOT NULL, id int NOT NULL, balance bigint NOT NULL,"
                + " PRIMARY KEY (run, id))");
        jdbc.execute("CREATE TABLE IF NOT EXISTS transfers(run text NOT NULL, id bigint NOT NULL, src int NOT NULL,"
                + " dst int NOT NULL, amount bigint NOT NULL)");
        for (int i = 0; i < accounts; i++) {
            jdbc.update("INSERT INTO accounts(run, id, balance) VALUES (?, ?, ?)", run, i, balance);
        }
    }

    @Transactional
    public void transfer(String run, long id, int from, int to, long amount) {
        jdbc.update("INSERT INTO transfers(run, id, src, dst, amount) VALUES (?, ?, ?, ?, ?)", run, id, from, to, amount);
        int first = Math.min(from, to);
        int second = Math.max(from, to);
        jdbc.update("UPDATE accounts SET balance = balance + ? WHERE run = ? AND id = ?", first == to ? amount : -amount, run, first);
        jdbc.update("UPDATE accounts SET balance = balance + ? WHERE run = ? AND id = ?", second == to ? amount : -amount, run, second);
    }
}
