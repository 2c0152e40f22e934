package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.liveness.HostVerdicts;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 24 on a real frozen server: SIGSTOP to the postmaster and every backend (the embedded
 * PostgreSQL), so sockets stay open, the kernel still accepts connections and nothing answers — a
 * frozen VM as a process sees it. The raw driver waits as long as the freeze lasts; ours notices
 * within about 2 s and never waits longer than its own budgets.
 */
@PgTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrozenServerTest {
    private static PgServer pg;
    private final ExecutorService threads = FaultClients.threads("frozen-server-client");

    @BeforeAll
    static void start(PgServer server) throws SQLException {
        pg = server;
        try (Connection c = raw(""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS frozen_t(k text PRIMARY KEY)");
        }
    }

    @BeforeEach
    void clean() throws SQLException {
        try (Connection c = raw(""); Statement s = c.createStatement()) {
            s.execute("TRUNCATE frozen_t");
        }
    }

    @AfterEach
    void thaw() {
        pg.resume();
        threads.shutdownNow();
    }

    private static Connection raw(String extra) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres" + extra);
    }

    private static Connection resilient(String extra) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres" + extra);
    }

    private static long stat(ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching(":" + pg.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    private static long rows(String k) throws SQLException {
        try (Connection c = raw(""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM frozen_t WHERE k = '" + k + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int one(Statement s, String sql) throws SQLException {
        return FaultClients.one(s, sql);
    }

    /** Milliseconds until {@code counter} passes {@code before}, or -1 after {@code limitMillis}. */
    private static long millisUntilAbove(LongSupplier counter, long before, long t0, long limitMillis) throws InterruptedException {
        while (counter.getAsLong() <= before) {
            if ((System.nanoTime() - t0) / 1_000_000 > limitMillis) {
                return -1;
            }
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void aCallOnAFrozenServerEndsWithinTheConnectBudgetWhileTheRawOneWaits() throws Exception {
        Connection rawC = raw("");
        try (Connection c = resilient("&resilient.connect.maxDuration=1s"); Statement s = c.createStatement()) {
            Statement rawS = rawC.createStatement();
            assertEquals(1, one(s, "SELECT 1"));
            long abortedBefore = HostVerdicts.abortedConnections();
            pg.freeze();
            long t0 = System.nanoTime();
            Future<Integer> rawRead = threads.submit(() -> one(rawS, "SELECT 41 + 1"));
            Future<Integer> read = threads.submit(() -> one(s, "SELECT 41 + 1"));
            long noticed = millisUntilAbove(HostVerdicts::abortedConnections, abortedBefore, t0, 10_000);
            assertTrue(noticed >= 0 && noticed < 2_500, "the frozen server was noticed after " + noticed + " ms");
            java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> read.get(10, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            SQLException e = (SQLException) failed.getCause();
            assertTrue(e.getSQLState().startsWith("08"), e::toString);
            assertTrue(ms < 6_000, "ours gave up within its budgets: " + ms + " ms");
            assertThrows(TimeoutException.class, () -> rawRead.get(100, TimeUnit.MILLISECONDS), "the raw read still waits");
            System.out.println("frozen server: noticed after " + noticed + " ms, call ended (" + e.getSQLState() + ") after " + ms + " ms");
            pg.resume();
            assertEquals(42, rawRead.get(10, TimeUnit.SECONDS), "the raw read is answered once the server runs again");
            assertEquals(42, one(s, "SELECT 41 + 1"), "and ours goes on with a new connection");
        } finally {
            pg.resume();
            rawC.abort(Runnable::run);
        }
    }

    /**
     * Issue 24: the time from the freeze to the blocked read's connection being closed, with default liveness
     * settings, over several freezes ({@code -Dliveness.runs=10} for bench/RESULTS.md; CI runs 3). Each read then
     * recovers on a new connection once the server runs again.
     */
    @Test
    void aFrozenServerIsNoticedWithinTwoSecondsEveryTime() throws Exception {
        int runs = Integer.getInteger("liveness.runs", 3);
        java.util.List<Long> noticed = new java.util.ArrayList<>();
        try (Connection c = resilient(""); Statement s = c.createStatement()) {
            for (int i = 0; i < runs; i++) {
                assertEquals(1, one(s, "SELECT 1"));
                long abortedBefore = HostVerdicts.abortedConnections();
                pg.freeze();
                long t0 = System.nanoTime();
                Future<Integer> read = threads.submit(() -> one(s, "SELECT 41 + 1"));
                long ms = millisUntilAbove(HostVerdicts::abortedConnections, abortedBefore, t0, 10_000);
                pg.resume();
                assertTrue(ms >= 0, "freeze " + (i + 1) + " was noticed");
                noticed.add(ms);
                assertEquals(42, read.get(30, TimeUnit.SECONDS), "the read recovers once the server runs");
            }
        } finally {
            pg.resume();
        }
        java.util.List<Long> sorted = noticed.stream().sorted().toList();
        System.out.println("frozen server, " + runs + " freezes, noticed after (ms): " + noticed + "; median "
                + sorted.get(sorted.size() / 2) + ", max " + sorted.get(sorted.size() - 1));
        assertTrue(sorted.get(sorted.size() - 1) < 2_500, "every freeze noticed within about 2 s: " + noticed);
    }

    @Test
    void aCommitSentToAFrozenServerIsSettledOnceAfterItThaws() throws Exception {
        Connection rawC = raw("");
        try (Connection c = resilient(""); Statement s = c.createStatement()) {
            rawC.setAutoCommit(false);
            rawC.createStatement().executeUpdate("INSERT INTO frozen_t VALUES ('raw')");
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO frozen_t VALUES ('ours')");
            long abortedBefore = HostVerdicts.abortedConnections();
            long settledBefore = stat(RetryStats::inDoubtCommitted) + stat(RetryStats::inDoubtAborted);
            pg.freeze();
            long t0 = System.nanoTime();
            Future<?> rawCommit = threads.submit(() -> {
                rawC.commit();
                return null;
            });
            Future<?> commit = threads.submit(() -> {
                c.commit();
                return null;
            });
            long noticed = millisUntilAbove(HostVerdicts::abortedConnections, abortedBefore, t0, 10_000);
            assertTrue(noticed >= 0 && noticed < 2_500, "the frozen server was noticed after " + noticed + " ms");
            assertFalse(commit.isDone(), "the COMMIT's fate is unknown while the server is frozen: it waits for evidence");
            assertFalse(rawCommit.isDone(), "the raw COMMIT waits as well, unaware");
            Thread.sleep(1_000); // frozen a while longer: the settlement's own connects meet the frozen server too
            pg.resume();
            commit.get(30, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("frozen server: COMMIT noticed after " + noticed + " ms, settled " + ms + " ms after the freeze");
            assertEquals(settledBefore + 1, stat(RetryStats::inDoubtCommitted) + stat(RetryStats::inDoubtAborted),
                    "the COMMIT went through the in-doubt settlement");
            rawCommit.get(10, TimeUnit.SECONDS);
            c.setAutoCommit(true);
        } finally {
            pg.resume();
            rawC.abort(Runnable::run);
        }
        assertEquals(1, rows("ours"), "committed exactly once");
        assertEquals(1, rows("raw"));
    }
}
