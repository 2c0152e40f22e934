package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.liveness.HostVerdicts;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 24, a host that goes silent without closing its sockets (frozen process or machine, blackholed
 * path). Two chaos proxies in front of one server make a two-host URL whose first host can be
 * blackholed while the second still leads to the same data: the raw driver on that URL, with its
 * defaults, blocks for as long as the test lets it (bytes dropped in a blackhole never come back, so
 * it would block for ever); ours notices the silence within about 2 s and the call moves on to the
 * second host — a read retried, a transaction replayed, a COMMIT in flight settled by its marker.
 */
@PgTest
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class SilentHostTest {
    private static PgServer pg;
    private static ChaosProxy first;
    private static ChaosProxy second;
    private final ExecutorService threads = FaultClients.threads("silent-host-client");

    @BeforeAll
    static void start(PgServer server) throws SQLException {
        pg = server;
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS silent_t(k text PRIMARY KEY)");
        }
    }

    // New proxies (new ports) for each test: pgjdbc remembers JVM-wide which host of a URL failed, and the
    // driver which host was silent; a test must not start from what the one before it did.
    @BeforeEach
    void clean() throws SQLException {
        first = ChaosProxy.start(pg.host(), pg.port());
        second = ChaosProxy.start(pg.host(), pg.port());
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            s.execute("TRUNCATE silent_t");
        }
    }

    @AfterEach
    void release() {
        threads.shutdownNow();
        first.close();
        second.close();
    }

    private static String direct() {
        return pg.jdbcUrl() + "?user=postgres";
    }

    /** Both proxies, the first one first: what a multi-host URL to a primary and its standby looks like. */
    private static String raw() {
        return "jdbc:postgresql://" + first.host() + ":" + first.port() + "," + second.host() + ":" + second.port() + "/"
                + pg.database() + "?user=postgres";
    }

    private static String resilient() {
        return raw().replace("jdbc:", "jdbc:resilient:");
    }

    private static long stat(ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + first.port() + ",").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    private static long rows(String k) throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM silent_t WHERE k = '" + k + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int one(Statement s, String sql) throws SQLException {
        return FaultClients.one(s, sql);
    }

    /** The raw call is still blocked: it neither returned nor failed. */
    private static void assertStillBlocked(Future<?> raw, String what) {
        assertThrows(TimeoutException.class, () -> raw.get(500, TimeUnit.MILLISECONDS), what + ": the raw driver is still blocked");
    }

    /** A raw connection whose call may block for ever: close() would wait for that call, abort() does not. */
    private static void abort(Connection raw) throws SQLException {
        raw.abort(Runnable::run);
    }

    @Test
    void aReadOnASilentHostMovesToTheNextHostWithinTwoSeconds() throws Exception {
        Connection rawC = DriverManager.getConnection(raw());
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            Statement rawS = rawC.createStatement();
            assertEquals(1, one(s, "SELECT 1"));
            assertTrue(first.openConnections() >= 2, "both connections go through the first host");
            long silentBefore = HostVerdicts.silentVerdicts();
            long reconnectsBefore = stat(RetryStats::reconnects);
            first.blackhole(true);
            long t0 = System.nanoTime();
            Future<Integer> rawRead = threads.submit(() -> one(rawS, "SELECT 41 + 1"));
            Future<Integer> read = threads.submit(() -> one(s, "SELECT 41 + 1"));
            assertEquals(42, read.get(10, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3_000, "answered from the second host " + ms + " ms after the first went silent");
            assertTrue(HostVerdicts.silentVerdicts() > silentBefore, "the first host was judged silent");
            assertEquals(reconnectsBefore + 1, stat(RetryStats::reconnects), "one reconnect, to the second host");
            assertStillBlocked(rawRead, "a read");
            System.out.println("silent host: read answered " + ms + " ms after the blackhole");
        } finally {
            abort(rawC);
        }
    }

    @Test
    void aLongQueryOnALiveHostIsNeverCut() throws Exception {
        Connection rawC = DriverManager.getConnection(raw() + "&socketTimeout=1");
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            Statement rawS = rawC.createStatement();
            long probesBefore = HostVerdicts.probes();
            long reconnectsBefore = stat(RetryStats::reconnects);
            long abortedBefore = HostVerdicts.abortedConnections();
            long t0 = System.nanoTime();
            // pg_sleep(10): the bar for a healthy long query under the default liveness settings.
            Future<Integer> slow = threads.submit(() -> one(s, "SELECT 7 FROM pg_sleep(10)"));
            // The other way to bound a wait, a read timeout, cuts the same healthy query short.
            SQLException cut = assertThrows(SQLException.class, () -> one(rawS, "SELECT 7 FROM pg_sleep(10)"));
            assertTrue(cut.getMessage().contains("timed out") || String.valueOf(cut.getCause()).contains("timed out"), cut::toString);
            assertEquals(7, slow.get(30, TimeUnit.SECONDS));
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 10_000);
            assertTrue(HostVerdicts.probes() - probesBefore >= 5, "the host was asked while the query ran: "
                    + (HostVerdicts.probes() - probesBefore) + " probes");
            assertEquals(abortedBefore, HostVerdicts.abortedConnections(), "and nothing was closed");
            assertEquals(reconnectsBefore, stat(RetryStats::reconnects), "the query ran once, on its first connection");
        } finally {
            abort(rawC);
        }
    }

    @Test
    void aTransactionOnASilentHostIsReplayedOnTheNextHost() throws Exception {
        Connection rawC = DriverManager.getConnection(raw());
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            Statement rawS = rawC.createStatement();
            rawC.setAutoCommit(false);
            c.setAutoCommit(false);
            rawS.executeUpdate("INSERT INTO silent_t VALUES ('raw-1')");
            s.executeUpdate("INSERT INTO silent_t VALUES ('ours-1')");
            assertEquals(1, one(s, "SELECT count(*) FROM silent_t WHERE k = 'ours-1'"));
            long replaysBefore = stat(RetryStats::replays);
            first.blackhole(true);
            Future<Integer> rawWrite = threads.submit(() -> rawS.executeUpdate("INSERT INTO silent_t VALUES ('raw-2')"));
            Future<Integer> write = threads.submit(() -> s.executeUpdate("INSERT INTO silent_t VALUES ('ours-2')"));
            assertEquals(1, write.get(10, TimeUnit.SECONDS));
            c.commit();
            assertEquals(replaysBefore + 1, stat(RetryStats::replays), "the transaction was replayed on the second host");
            assertStillBlocked(rawWrite, "an insert in a transaction");
        } finally {
            abort(rawC);
        }
        assertEquals(1, rows("ours-1"));
        assertEquals(1, rows("ours-2"));
        assertEquals(0, rows("raw-1"), "the raw transaction never committed");
    }

    @Test
    void aCommitInFlightWhenTheHostGoesSilentIsSettledOnce() throws Exception {
        Connection rawC = DriverManager.getConnection(raw());
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            Statement rawS = rawC.createStatement();
            rawC.setAutoCommit(false);
            c.setAutoCommit(false);
            rawS.executeUpdate("INSERT INTO silent_t VALUES ('raw-commit')");
            s.executeUpdate("INSERT INTO silent_t VALUES ('ours-commit')");
            long committedBefore = stat(RetryStats::inDoubtCommitted);
            // The server commits, the reply is lost, and then the host goes silent: the COMMIT's fate is unknown.
            first.dropRepliesAfterClientSends("COMMIT");
            Future<?> rawCommit = threads.submit(() -> {
                rawC.commit();
                return null;
            });
            Future<?> commit = threads.submit(() -> {
                c.commit();
                return null;
            });
            awaitRows("ours-commit", 1);
            awaitRows("raw-commit", 1);
            first.blackhole(true);
            commit.get(10, TimeUnit.SECONDS);
            assertEquals(committedBefore + 1, stat(RetryStats::inDoubtCommitted), "settled as committed by its marker");
            assertStillBlocked(rawCommit, "a COMMIT whose reply was lost");
        } finally {
            abort(rawC);
        }
        assertEquals(1, rows("ours-commit"), "committed once, not replayed on top");
    }

    private static void awaitRows(String k, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rows(k) != n) {
            assertFalse(System.nanoTime() > deadline, "the server committed " + k);
            Thread.sleep(20);
        }
    }
    /** What a ledger run through the two-host URL did once its first host went silent for the rest of the run. */
    private record LedgerOutcome(long firstCommitAfterMillis, long committedBefore, long committedAfter,
                                 dev.resilientjdbc.demo.ledger.LedgerWorkload.Result result,
                                 dev.resilientjdbc.demo.ledger.LedgerChecker.Report report) {}

    private static LedgerOutcome ledgerThroughSilence(String url) throws Exception {
        dev.resilientjdbc.demo.ledger.LedgerRun run = dev.resilientjdbc.demo.ledger.LedgerWorkload.builder(url)
                .accounts(10).clients(4).readShare(0.2).seed(24).duration(java.time.Duration.ofSeconds(7))
                .stopGrace(java.time.Duration.ofSeconds(1)).build().start();
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (run.committedSoFar() < 50) {
            assertFalse(System.nanoTime() > warm, "the ledger commits before the fault");
            Thread.sleep(10);
        }
        first.blackhole(true);
        long t0 = System.nanoTime();
        // Replies already read when the path went silent are still being acknowledged for a moment: the count
        // after 100 ms is the baseline, and the first commit past it is the first that went through the silence.
        while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(100)) {
            Thread.sleep(5);
        }
        long before = run.committedSoFar();
        long firstAfter = -1;
        while (firstAfter < 0 && (System.nanoTime() - t0) < TimeUnit.SECONDS.toNanos(5)) {
            if (run.committedSoFar() > before) {
                firstAfter = (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(2);
        }
        dev.resilientjdbc.demo.ledger.LedgerWorkload.Result result = run.awaitResult();
        dev.resilientjdbc.demo.ledger.LedgerChecker.Report report;
        try (Connection c = DriverManager.getConnection(direct())) {
            report = dev.resilientjdbc.demo.ledger.LedgerChecker.check(c, result);
        }
        return new LedgerOutcome(firstAfter, before, result.committed() - before, result, report);
    }

    /**
     * The ledger (4 threads, long-lived connections) through the two-host URL, the first host going silent
     * mid-run and staying so: raw pgjdbc commits nothing more (every thread waits until the run aborts
     * it); ours commits on through the second host, nothing lost, nothing twice, no error but 40001.
     */
    @Test
    void theLedgerGoesOnThroughTheSecondHostWhenTheFirstGoesSilent() throws Exception {
        LedgerOutcome raw = ledgerThroughSilence(raw());
        first.close();
        second.close();
        first = ChaosProxy.start(pg.host(), pg.port());
        second = ChaosProxy.start(pg.host(), pg.port());
        LedgerOutcome ours = ledgerThroughSilence(resilient());
        System.out.println("silent host, ledger raw: " + raw.committedAfter() + " commits after the silence, first after "
                + raw.firstCommitAfterMillis() + " ms, errors " + raw.result().failuresBySqlState() + ", read errors "
                + raw.result().readFailuresBySqlState() + "; " + raw.report());
        System.out.println("silent host, ledger ours: " + ours.committedAfter() + " commits after the silence, first after "
                + ours.firstCommitAfterMillis() + " ms, errors " + ours.result().failuresBySqlState() + ", read errors "
                + ours.result().readFailuresBySqlState() + "; " + ours.report());
        assertEquals(0, raw.committedAfter(), "raw pgjdbc commits nothing once its host is silent");
        assertTrue(ours.report().ok(), ours.report()::toString);
        assertTrue(ours.firstCommitAfterMillis() >= 0 && ours.firstCommitAfterMillis() < 3_000,
                "ours commits again " + ours.firstCommitAfterMillis() + " ms after the silence");
        assertTrue(ours.committedAfter() > 50, "and goes on: " + ours.committedAfter());
        // A transaction replayed on the second host may read balances other threads changed meanwhile: that replay
        // diverges and says so with 40001 (the bar: only 40001 reaches the application). Nothing else may.
        assertEquals(java.util.Set.of(), ours.result().failuresBySqlState().keySet().stream().filter(k -> !k.equals("40001"))
                .collect(java.util.stream.Collectors.toSet()), () -> "only 40001 reached the application: " + ours.result().failuresBySqlState());
        assertEquals(0, ours.result().readsFailed(), () -> "no read failed: " + ours.result().readFailuresBySqlState());
        assertEquals(java.util.List.of(), ours.result().hungThreads());
    }
}
