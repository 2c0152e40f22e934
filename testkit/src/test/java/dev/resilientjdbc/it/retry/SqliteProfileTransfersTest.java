package dev.resilientjdbc.it.retry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's SQLite profile (WAL, {@code busy_timeout=5000}) under the shape of most applications' writes: a
 * transaction that reads, then writes what it read (a transfer). SQLite waits its busy_timeout only where a
 * statement starts from no transaction; a transaction that read first and then asks for the write lock while
 * another connection writes gets SQLITE_BUSY at once (or SQLITE_BUSY_SNAPSHOT), busy_timeout or not. The raw
 * driver shows those to the application; through resilient-jdbc the transaction is replayed and the
 * application sees none — the application's busy_timeout is respected where SQLite did wait (issue 27).
 */
class SqliteProfileTransfersTest {
    private static final int THREADS = 4;
    private static final int TRANSFERS = 150;
    private static final String PROFILE = "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=5000";

    @TempDir
    Path dir;

    private String create(String name) throws SQLException {
        String raw = "jdbc:sqlite:" + dir.resolve(name) + PROFILE;
        try (Connection c = DriverManager.getConnection(raw); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE account(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
            for (int i = 0; i < 8; i++) {
                s.execute("INSERT INTO account VALUES (" + i + ", 1000)");
            }
        }
        return raw;
    }

    /** Runs the transfers; the errors the application saw, by SQLite result. */
    private static Map<String, Integer> transfer(String url) throws Exception {
        Map<String, Integer> errors = new TreeMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url);
                     PreparedStatement read = c.prepareStatement("SELECT balance FROM account WHERE id = ?");
                     PreparedStatement write = c.prepareStatement("UPDATE account SET balance = ? WHERE id = ?")) {
                    c.setAutoCommit(false);
                    start.await();
                    for (int i = 0; i < TRANSFERS; i++) {
                        int from = (seed + i) % 8;
                        int to = (seed + 3 * i + 1) % 8;
                        if (from == to) {
                            to = (to + 1) % 8;
                        }
                        try {
                            long a = balance(read, from);
                            long b = balance(read, to);
                            write.setLong(1, a - 1);
                            write.setInt(2, from);
                            write.executeUpdate();
                            write.setLong(1, b + 1);
                            write.setInt(2, to);
                            write.executeUpdate();
                            c.commit();
                        } catch (SQLException e) {
                            synchronized (errors) {
                                errors.merge(e.getMessage().replaceAll("^\\[(\\w+)].*", "$1"), 1, Integer::sum);
                            }
                            c.rollback();
                        }
                    }
                } catch (Exception e) {
                    synchronized (errors) {
                        errors.merge("thread: " + e, 1, Integer::sum);
                    }
                }
            }, "sqlite-transfer-" + t);
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(120_000);
            assertFalse(th.isAlive(), th.getName() + " still runs");
        }
        return errors;
    }

    private static long balance(PreparedStatement read, int id) throws SQLException {
        read.setInt(1, id);
        try (ResultSet rs = read.executeQuery()) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static long total(String raw) throws SQLException {
        try (Connection c = DriverManager.getConnection(raw); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void readThenWriteTransactionsOnTheRecommendedProfileShowTheApplicationNoBusyError() throws Exception {
        String raw = create("raw.db");
        Map<String, Integer> rawErrors = transfer(raw);
        String ours = create("ours.db");
        Map<String, Integer> oursErrors = transfer(ours.replace("jdbc:", "jdbc:resilient:"));
        System.out.println("sqlite profile transfers: raw errors " + rawErrors + ", resilient " + oursErrors);
        assertFalse(rawErrors.isEmpty(), "the raw driver met SQLITE_BUSY on read-then-write transactions");
        assertEquals(Map.of(), oursErrors, "through resilient-jdbc the application saw none");
        assertEquals(8000, total(raw), "raw: every transfer all or nothing");
        assertEquals(8000, total(ours), "ours: every transfer all or nothing");
    }
}
