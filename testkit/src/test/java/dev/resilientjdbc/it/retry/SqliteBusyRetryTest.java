package dev.resilientjdbc.it.retry;

import dev.resilientjdbc.ResilientDriver;
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

    /**
     * Runs the writers; returns every exception any of them saw. An assertion failing in a writer is
     * caught and returned too: left to the thread it would only be printed, and the test would pass.
     */
    private List<Throwable> writeConcurrently(String url) throws Exception {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
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
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "sqlite-writer-" + t);
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(60_000);
            assertTrue(!th.isAlive(), th.getName() + " still hangs");
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
        List<Throwable> rawErrors = writeConcurrently(raw);
        assertTrue(rawErrors.size() > 0, "the raw driver must see SQLITE_BUSY, or the fault was not real");
        assertTrue(rawErrors.stream().allMatch(e -> e instanceof SQLException && e.getMessage().contains("SQLITE_BUSY")),
                rawErrors.toString());
        assertTrue(rows(raw) < THREADS * ROWS_PER_THREAD);

        String rawResilient = createDatabase("resilient.db");
        String resilient = rawResilient.replace("jdbc:sqlite:", "jdbc:resilient:sqlite:") + "&resilient.retry.maxAttempts=100";
        List<Throwable> errors = writeConcurrently(resilient);
        assertEquals(List.of(), errors, "the application sees no exception");
        assertEquals(THREADS * ROWS_PER_THREAD, rows(rawResilient), "every write applied exactly once");
    }

    @Test
    void writersTakeTurnsNoWriterStarves() throws Exception {
        String raw = createDatabase("fair.db");
        String url = raw.replace("jdbc:sqlite:", "jdbc:resilient:sqlite:");
        long[] worstNanos = new long[THREADS];
        int[] done = new int[THREADS];
        long deadline = System.nanoTime() + 1_500_000_000L;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                    start.await();
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        long t0 = System.nanoTime();
                        s.executeUpdate("INSERT INTO t(writer, n) VALUES (" + id + ", " + i + ")");
                        worstNanos[id] = Math.max(worstNanos[id], System.nanoTime() - t0);
                        done[id]++;
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "sqlite-fair-writer-" + t);
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(List.of(), new ArrayList<>(errors));
        int total = 0;
        for (int t = 0; t < THREADS; t++) {
            total += done[t];
            // Left to SQLITE_BUSY and backoff, one writer used to win thousands of times while another waited seconds.
            assertTrue(worstNanos[t] < 1_000_000_000L, "writer " + t + " waited " + worstNanos[t] / 1_000_000 + " ms for one insert");
        }
        for (int t = 0; t < THREADS; t++) {
            assertTrue(done[t] * THREADS * 4 >= total, "writer " + t + " got " + done[t] + " of " + total + " inserts: starved");
        }
        assertEquals(total, rows(raw));
    }

    @Test
    void busyFromAWriterOutsideTheDriverIsWaitedOut() throws Exception {
        String raw = createDatabase("outside.db");
        String url = raw.replace("jdbc:sqlite:", "jdbc:resilient:sqlite:") + "&resilient.retry.maxAttempts=1000";
        TargetGuard guard;
        try (Connection resilient = DriverManager.getConnection(url); Statement s = resilient.createStatement();
             Connection other = DriverManager.getConnection(raw); Statement o = other.createStatement()) {
            guard = ResilientDriver.targets().matching("outside.db").get(0);
            long busyBefore = guard.stats().failures(FailureClass.BUSY);
            // Another process, as far as our gate knows: a raw connection holding the write lock.
            o.execute("BEGIN IMMEDIATE");
            o.executeUpdate("INSERT INTO t(writer, n) VALUES (-1, 0)");
            java.util.concurrent.atomic.AtomicReference<Throwable> releaseFailed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread release = new Thread(() -> {
                try {
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (guard.stats().failures(FailureClass.BUSY) == busyBefore && System.nanoTime() < deadline) {
                        Thread.sleep(1); // not a spin: it would take a core from what it waits for
                    }
                    o.execute("COMMIT");
                } catch (Throwable e) {
                    releaseFailed.set(e);
                }
            }, "sqlite-outside-writer");
            release.setDaemon(true);
            release.start();
            assertEquals(1, s.executeUpdate("INSERT INTO t(writer, n) VALUES (0, 0)"), "waited out, then applied");
            release.join(30_000);
            assertTrue(!release.isAlive(), "the outside writer never committed");
            assertEquals(null, releaseFailed.get(), "the outside writer's COMMIT failed");
            assertTrue(guard.stats().failures(FailureClass.BUSY) > busyBefore, "a real SQLITE_BUSY was met and retried");
        }
        assertEquals(2, rows(raw));
    }
}
