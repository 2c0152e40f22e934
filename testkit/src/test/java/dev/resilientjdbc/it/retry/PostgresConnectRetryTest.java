package dev.resilientjdbc.it.retry;


import dev.resilientjdbc.retry.TargetGuard;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connect retries and the circuit breaker, against a real PostgreSQL that is really stopped and started. */
@PgTest
class PostgresConnectRetryTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    /** A URL whose options make this test's breaker its own (distinct settings → distinct guard). */
    private static String resilient(String options) {
        return pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres&connectTimeout=2&" + options;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        dev.resilientjdbc.testkit.Await.until(timeout, condition, what);
    }

    private static long connectRetries() {
        return ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/").stream().mapToLong(g -> g.stats().connectRetries()).sum();
    }

    @Test
    void connectWaitsForAStoppedServerAndSucceedsWhenItStarts() throws Exception {
        pg.stopFast();
        assertThrows(SQLException.class, () -> DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres"),
                "the raw driver cannot connect: the server is really down");
        String url = resilient("resilient.connect.maxDuration=60s&resilient.breaker.enabled=false");
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "waiting-connect"));
        try {
            Future<Integer> answer = pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 42")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            long before = connectRetries();
            await(() -> connectRetries() >= before + 2, Duration.ofSeconds(20), "the connect to retry against the stopped server");
            assertFalse(answer.isDone(), "still waiting, not failed");
            pg.start();
            assertEquals(42, answer.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void connectGivesUpPastItsBudgetWithTheLastRealError() throws Exception {
        pg.stopFast();
        String url = resilient("resilient.connect.maxDuration=800ms&resilient.breaker.enabled=false&resilient.retry.maxDelay=100ms");
        long t0 = System.nanoTime();
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("08001", e.getSQLState(), e.toString());
        assertEquals("org.postgresql.util.PSQLException", e.getClass().getName());
        assertTrue(e.getSuppressed().length >= 2, "earlier attempts attached: " + e.getSuppressed().length);
        assertTrue(ms >= 700 && ms < 8_000, "bounded by the budget: " + ms + " ms");
    }

    @Test
    void breakerOpensFailsFastAndClosesWhenTheServerIsBack() throws Exception {
        pg.stopFast();
        String url = resilient("resilient.connect.maxDuration=1500ms&resilient.retry.maxDelay=50ms"
                + "&resilient.breaker.failureThreshold=2&resilient.breaker.openDuration=1500ms");
        // Two connects that exhaust their budget open the breaker.
        for (int i = 0; i < 2; i++) {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url));
            assertFalse(e.getMessage().contains("circuit breaker"), e.getMessage());
        }
        long t0 = System.nanoTime();
        SQLException open = assertThrows(SQLException.class, () -> DriverManager.getConnection(url));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(open.getMessage().contains("circuit breaker") && open.getMessage().contains("open"), open.getMessage());
        assertTrue(open.getSQLState().startsWith("08"), open.getSQLState());
        assertTrue(ms < 500, "fails fast, well under the 1500 ms connect budget: " + ms + " ms");
        assertEquals("08001", ((SQLException) open.getCause()).getSQLState(), "the failure that opened it is the cause");

        pg.start();
        // Open for 1.5 s: connects keep failing fast until the probe is let through, which then succeeds.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Connection c = null;
        while (c == null && System.nanoTime() < deadline) {
            try {
                c = DriverManager.getConnection(url);
            } catch (SQLException stillOpen) {
                assertTrue(stillOpen.getMessage().contains("circuit breaker"), stillOpen.getMessage());
                Thread.sleep(1); // not a spin: it would take a core from what it waits for
            }
        }
        assertTrue(c != null, "breaker closed after the server came back");
        c.close();
        TargetGuard g = ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/").stream()
                .filter(x -> x.stats().breakerOpened() > 0).findFirst().orElseThrow();
        assertEquals(1, g.stats().breakerOpened());
        assertEquals(1, g.stats().breakerClosed());
        assertTrue(g.stats().breakerRejected() >= 1);
    }
}
