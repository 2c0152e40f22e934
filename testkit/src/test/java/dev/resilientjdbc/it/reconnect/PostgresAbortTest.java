package dev.resilientjdbc.it.reconnect;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Connection.abort(executor)} is the application ending a connection for good: the statement it
 * interrupts fails and is not made again on a new connection, the connection stays closed, and later
 * calls fail — as on the raw driver, whose observations are the expected ones.
 */
@PgTest
class PostgresAbortTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    private static String raw() {
        // The server notices a vanished client within 100 ms, not only when the sleep ends (5 s per run).
        return pg.jdbcUrl() + "?user=postgres&connectTimeout=5&ApplicationName=abort-test"
                + "&options=-c%20client_connection_check_interval%3D100";
    }

    /** Sessions of this test running the long query, seen from a separate raw connection. */
    private static int sleepers() throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'abort-test'"
                     + " AND state = 'active' AND query LIKE 'SELECT pg_sleep%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void awaitSleepers(int n) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sleepers() != n) {
            assertTrue(System.nanoTime() < until, "waited 10 s for " + n + " sessions running pg_sleep");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static List<Object> abortWhileAStatementRuns(String url) throws Exception {
        List<Object> seen = new ArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection c = DriverManager.getConnection(url)) {
            CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> {
                try (Statement s = c.createStatement()) {
                    s.executeQuery("SELECT pg_sleep(5)").close();
                    return "completed";
                } catch (SQLException e) {
                    return "failed";
                }
            });
            awaitSleepers(1);
            long t0 = System.nanoTime();
            c.abort(executor);
            seen.add(running.get(10, TimeUnit.SECONDS));
            seen.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 4000 ? "ended at once" : "ran to the end");
            seen.add(c.isClosed());
            try {
                c.createStatement();
                seen.add("usable after abort");
            } catch (SQLException e) {
                seen.add("closed: " + e.getSQLState());
            }
            awaitSleepers(0); // nothing of the interrupted statement runs on, on any session
        } finally {
            executor.shutdownNow();
        }
        return seen;
    }

    @Test
    void abortIsFinalAsOnTheRawDriver() throws Exception {
        List<Object> rawSeen = abortWhileAStatementRuns(raw());
        assertEquals(List.of("failed", "ended at once", true, "closed: 08003"), rawSeen, "the raw driver's behaviour");
        long reconnects = ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum();
        assertEquals(rawSeen, abortWhileAStatementRuns(raw().replace("jdbc:", "jdbc:resilient:")));
        assertEquals(reconnects, ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum(),
                "an aborted connection is never replaced");
    }
}
