package dev.resilientjdbc.retry;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.TargetGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real SQLITE_BUSY from concurrent writers on one file, with sqlite-jdbc's own busy wait turned off. */
class SqliteBusyRetryTest {
    private static final int THREADS = 8;
    private static final int ROWS_PER_THREAD = 150;

    @TempDir
    Path dir;

    /** Runs the writers; returns every exception any of them saw. */
    private List<SQLException> writeConcurrently(String url) throws Exception {
        ConcurrentLinkedQueue<SQLException> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url)) {
                    start.await();
                    for (int i = 0; i < ROWS_PER_THREAD; i++) {
                        try (Statement s = c.createStatement()) {
                            assertEquals(1, s.executeUpdate("INSERT INTO t(writer, n) VALUES (" + id + ", " + i + ")"));
                        } catch (SQLException e) {
                            errors.add(e);
                        }
                    }
                } catch (SQLException e) {
                    errors.add(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "sqlite-writer-" + t);
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        return new ArrayList<>(errors);
    }

    private static int rows(String rawUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(rawUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT writer || '-' || n) FROM t")) {
            rs.next();
            assertEquals(rs.getInt(1), rs.getInt(2), "no row written twice");
            return rs.getInt(1);
        }
    }

    private String createDatabase(String name) throws SQLException {
        String raw = "jdbc:sqlite:" + dir.resolve(name) + "?busy_timeout=0";
        try (Connection c = DriverManager.getConnection(raw); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE t(writer INTEGER NOT NULL, n INTEGER NOT NULL)");
        }
        return raw;
    }

    @Test
    void rawDriverFailsWithBusyAndResilientFinishesEveryWrite() throws Exception {
        String raw = createDatabase("raw.db");
        List<SQLException> rawErrors = writeConcurrently(raw);
        assertTrue(rawErrors.size() > 0, "the raw driver must see SQLITE_BUSY, or the fault was not real");
        assertTrue(rawErrors.stream().allMatch(e -> e.getMessage().contains("SQLITE_BUSY")), rawErrors.get(0).toString());
        assertTrue(rows(raw) < THREADS * ROWS_PER_THREAD);

        String rawResilient = createDatabase("resilient.db");
        String resilient = rawResilient.replace("jdbc:sqlite:", "jdbc:resilient:sqlite:") + "&resilient.retry.maxAttempts=100";
        List<SQLException> errors = writeConcurrently(resilient);
        assertEquals(List.of(), errors, "the application sees no exception");
        assertEquals(THREADS * ROWS_PER_THREAD, rows(rawResilient), "every write applied exactly once");
    }
}
