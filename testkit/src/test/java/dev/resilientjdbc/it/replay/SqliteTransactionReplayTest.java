package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.testkit.sqlite.SqliteExtension;
import dev.resilientjdbc.testkit.sqlite.SqliteFiles;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrent explicit read-then-write transactions on one SQLite file with sqlite-jdbc's busy wait
 * off: real SQLITE_BUSY (rollback journal) and SQLITE_BUSY_SNAPSHOT (WAL). The raw driver fails;
 * resilient-jdbc rolls back, backs off and replays, and every transfer lands exactly once.
 */
@ExtendWith(SqliteExtension.class)
class SqliteTransactionReplayTest {
    private static final int THREADS = 6;
    private static final int TRANSFERS = 40;

    private static void setUp(String url, String journalMode) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=" + journalMode);
            s.execute("CREATE TABLE acc(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
            s.execute("CREATE TABLE journal(id TEXT PRIMARY KEY)");
            s.execute("INSERT INTO acc VALUES (1, 1000), (2, 1000)");
        }
    }

    /**
     * Each thread moves 1 from one account to the other, reading both balances first; returns what the threads saw
     * fail, anything a thread threw included (left to the thread it would only be printed).
     */
    private static List<Throwable> transfer(String url, AtomicInteger committed) throws Exception {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            Thread th = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url);
                     PreparedStatement read = c.prepareStatement("SELECT balance FROM acc WHERE id = ?");
                     PreparedStatement write = c.prepareStatement("UPDATE acc SET balance = ? WHERE id = ?");
                     PreparedStatement journal = c.prepareStatement("INSERT INTO journal VALUES (?)")) {
                    c.setAutoCommit(false);
                    start.await();
                    for (int i = 0; i < TRANSFERS; i++) {
                        try {
                            int from = (me + i) % 2 + 1;
                            int to = 3 - from;
                            long a = balance(read, from);
                            long b = balance(read, to);
                            write.setLong(1, a - 1);
                            write.setInt(2, from);
                            write.executeUpdate();
                            write.setLong(1, b + 1);
                            write.setInt(2, to);
                            write.executeUpdate();
                            journal.setString(1, me + "-" + i);
                            journal.executeUpdate();
                            c.commit();
                            committed.incrementAndGet();
                        } catch (SQLException e) {
                            errors.add(e);
                            try {
                                c.rollback();
                            } catch (SQLException ignored) {
                                // the next transfer starts clean either way
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "sqlite-transfer-" + t);
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        return new ArrayList<>(errors);
    }

    private static long balance(PreparedStatement read, int id) throws SQLException {
        read.setInt(1, id);
        try (ResultSet rs = read.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void check(String rawUrl, int committed) throws SQLException {
        try (Connection c = DriverManager.getConnection(rawUrl); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM acc")) {
                rs.next();
                assertEquals(2000, rs.getLong(1), "money is neither created nor lost");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM journal")) {
                rs.next();
                assertEquals(committed, rs.getInt(1), "every acknowledged transfer exactly once, no other");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"DELETE", "WAL"})
    void concurrentTransfersNeverFailAndNeverDuplicate(String journalMode, SqliteFiles files) throws Exception {
        String raw = files.newDatabaseUrl("raw-" + journalMode) + "?busy_timeout=0";
        setUp(raw, journalMode);
        AtomicInteger rawCommitted = new AtomicInteger();
        List<Throwable> rawErrors = transfer(raw, rawCommitted);
        assertTrue(rawErrors.stream().anyMatch(e -> e instanceof SQLException && e.getMessage().contains("SQLITE_BUSY")),
                "the raw driver must see SQLITE_BUSY, or the fault was not real: " + rawErrors);
        check(raw, rawCommitted.get());

        String plain = files.newDatabaseUrl("resilient-" + journalMode) + "?busy_timeout=0";
        setUp(plain, journalMode);
        AtomicInteger committed = new AtomicInteger();
        List<Throwable> errors = transfer(plain.replace("jdbc:", "jdbc:resilient:") + "&resilient.retry.maxAttempts=200"
                + "&resilient.retry.maxDelay=200ms", committed);
        assertEquals(List.of(), errors, "the application sees no error");
        assertEquals(THREADS * TRANSFERS, committed.get());
        check(plain, committed.get());
    }
}
