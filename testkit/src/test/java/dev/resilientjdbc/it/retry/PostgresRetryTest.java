package dev.resilientjdbc.it.retry;


import dev.resilientjdbc.retry.TargetGuard;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real deadlocks and serialization failures on PostgreSQL 17, in autocommit statements. */
@PgTest
class PostgresRetryTest {
    private static PgServer pg;

    // Two autocommit statements that lock the same two rows in opposite order: a real deadlock.
    private static final String LOCK_1_THEN_2 = "DO $$ BEGIN UPDATE acc SET v = v + 1 WHERE id = 1;"
            + " PERFORM pg_sleep(0.3); UPDATE acc SET v = v + 1 WHERE id = 2; END $$";
    private static final String LOCK_2_THEN_1 = "DO $$ BEGIN UPDATE acc SET v = v + 1 WHERE id = 2;"
            + " PERFORM pg_sleep(0.3); UPDATE acc SET v = v + 1 WHERE id = 1; END $$";

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    private static String raw() {
        return pg.jdbcUrl() + "?user=postgres&options=-c%20deadlock_timeout%3D100ms";
    }

    private static String resilient() {
        return raw().replace("jdbc:", "jdbc:resilient:");
    }

    @BeforeEach
    void resetTable() throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS acc");
            s.execute("CREATE TABLE acc(id int PRIMARY KEY, v int NOT NULL)");
            s.execute("INSERT INTO acc VALUES (1, 0), (2, 0)");
        }
    }

    private static int value(int id) throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM acc WHERE id = " + id)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Runs two statements at the same moment on two connections; returns what each threw (or null). */
    private static List<SQLException> race(String url, String first, String second) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "deadlock-racer"));
        try {
            List<Future<SQLException>> results = new ArrayList<>();
            for (String sql : List.of(first, second)) {
                results.add(pool.submit((Callable<SQLException>) () -> {
                    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                        barrier.await();
                        s.execute(sql);
                        return null;
                    } catch (SQLException e) {
                        return e;
                    }
                }));
            }
            List<SQLException> out = new ArrayList<>();
            for (Future<SQLException> f : results) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void realDeadlockFailsRawAndIsRetriedExactlyOnceByResilient() throws Exception {
        List<SQLException> rawErrors = race(raw(), LOCK_1_THEN_2, LOCK_2_THEN_1);
        assertEquals(1, rawErrors.stream().filter(e -> e != null && "40P01".equals(e.getSQLState())).count(),
                "the raw driver sees the deadlock: " + rawErrors);
        assertEquals(1, value(1), "the raw victim's statement was rolled back");

        resetTable();
        TargetGuard guard = guard();
        long before = guard == null ? 0 : guard.stats().retries(FailureClass.TRANSACTION);
        List<SQLException> errors = race(resilient(), LOCK_1_THEN_2, LOCK_2_THEN_1);
        assertEquals(java.util.Arrays.asList(null, null), errors, "the application sees no deadlock");
        assertEquals(2, value(1), "each statement applied exactly once");
        assertEquals(2, value(2), "each statement applied exactly once");
        assertTrue(guard().stats().retries(FailureClass.TRANSACTION) > before, "the deadlock really happened and was retried");
    }

    @Test
    void realSerializationFailureIsRetried() throws Exception {
        // Reads row 1 in a REPEATABLE READ snapshot, sleeps, then writes it: a concurrent update in between
        // makes PostgreSQL refuse with 40001.
        String readThenWrite = "DO $$ DECLARE x int; BEGIN SELECT v INTO x FROM acc WHERE id = 1;"
                + " PERFORM pg_sleep(0.5); UPDATE acc SET v = x + 10 WHERE id = 1; END $$";
        assertEquals("40001", serializationRace(raw(), readThenWrite).getSQLState(), "raw driver sees the failure");
        resetTable();
        assertEquals(null, serializationRace(resilient(), readThenWrite), "resilient retries it");
        assertEquals(100 + 10, value(1), "the retry read the committed value and applied once");
    }

    private SQLException serializationRace(String url, String sql) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "serializable-writer"));
        try (Connection other = DriverManager.getConnection(raw())) {
            Future<SQLException> victim = pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(url)) {
                    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            awaitSleeper(other);
            try (Statement s = other.createStatement()) {
                s.executeUpdate("UPDATE acc SET v = 100 WHERE id = 1");
            }
            return victim.get();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until some backend sits in pg_sleep, i.e. has taken its snapshot. */
    private static void awaitSleeper(Connection c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(1); // not a spin: it would take a core from what it waits for
        }
        throw new AssertionError("no backend reached pg_sleep within 10 s");
    }

    @Test
    void constraintViolationPassesThroughAtOnceAsTheSameException() throws Exception {
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            long retriesBefore = totalRetries();
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO acc VALUES (1, 5)"));
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("23505", e.getSQLState());
            assertEquals("org.postgresql.util.PSQLException", e.getClass().getName(), "the real driver's own exception");
            assertEquals(0, e.getSuppressed().length, "no attempts before it");
            assertEquals(retriesBefore, totalRetries(), "not retried");
            assertTrue(elapsedMs < 1000, "no added delay: " + elapsedMs + " ms");
        }
    }

    @Test
    void deadlockInsideExplicitTransactionsIsReplayedAndBothCommitOnce() throws Exception {
        // Two explicit transactions deadlock for real; the victim's transaction is rolled back, replayed and committed.
        try (Connection a = DriverManager.getConnection(resilient()); Connection b = DriverManager.getConnection(resilient())) {
            List<SQLException> errors = transactionRace(a, b);
            assertEquals(java.util.Arrays.asList(null, null), errors, "no deadlock reaches the application");
            assertEquals(2, value(1), "each transaction applied exactly once");
            assertEquals(2, value(2), "each transaction applied exactly once");
        }
    }

    @Test
    void deadlockInsideExplicitTransactionReachesTheApplicationWhenReplayIsOff() throws Exception {
        try (Connection a = DriverManager.getConnection(resilient() + "&resilient.replay.maxBytes=0");
             Connection b = DriverManager.getConnection(resilient() + "&resilient.replay.maxBytes=0")) {
            List<SQLException> errors = transactionRace(a, b);
            assertEquals(1, errors.stream().filter(e -> e != null && "40P01".equals(e.getSQLState())).count(), errors.toString());
        }
    }

    /** Runs the two opposite-order lock statements in explicit transactions on a and b at the same moment. */
    private static List<SQLException> transactionRace(Connection a, Connection b) throws Exception {
        a.setAutoCommit(false);
        b.setAutoCommit(false);
        List<SQLException> errors = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "tx-racer"));
        try {
            CyclicBarrier barrier = new CyclicBarrier(2);
            Future<SQLException> fa = pool.submit(() -> runIn(a, LOCK_1_THEN_2, barrier));
            Future<SQLException> fb = pool.submit(() -> runIn(b, LOCK_2_THEN_1, barrier));
            errors.add(fa.get());
            errors.add(fb.get());
        } finally {
            pool.shutdownNow();
        }
        return errors;
    }

    private static SQLException runIn(Connection c, String sql, CyclicBarrier barrier) {
        try (Statement s = c.createStatement()) {
            barrier.await();
            s.execute(sql);
            c.commit();
            return null;
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is still usable; the test only needs the first error
            }
            return e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TargetGuard guard() {
        List<TargetGuard> guards = ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/");
        return guards.isEmpty() ? null : guards.get(0);
    }

    private static long totalRetries() {
        TargetGuard g = guard();
        if (g == null) {
            return 0;
        }
        long n = 0;
        for (FailureClass c : FailureClass.values()) {
            n += g.stats().retries(c);
        }
        return n;
    }
}
