package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.faulty.FaultPlan;
import dev.resilientjdbc.faulty.FaultRule;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import dev.resilientjdbc.testkit.pg.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network faults between driver and a real PostgreSQL 17, made by the testkit's chaos proxy: the TCP
 * path cut with RST, a blackhole (with the real driver's socketTimeout set), and the reply to a
 * COMMIT lost after the server committed.
 */
@PgTest
@PgSettings(crashSafe = true)
class PostgresNetworkFaultTest {
    private static PgServer pg;
    private static ChaosProxy proxy;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "network-fault-client");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void start(PgServer server, ChaosProxy chaos) {
        pg = server;
        proxy = chaos;
    }

    @BeforeEach
    void clean() throws SQLException {
        proxy.reset();
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS net_t");
            s.execute("CREATE TABLE net_t(k text PRIMARY KEY)");
        }
    }

    @AfterEach
    void shutdown() {
        proxy.reset();
        pool.shutdownNow();
    }

    private static String direct() {
        return pg.jdbcUrl() + "?user=postgres";
    }

    /** Through the proxy, with the real driver's timeouts set: without them a blackhole blocks forever. */
    private static String raw() {
        return PostgresExtension.proxiedUrl(pg, proxy) + "?user=postgres&socketTimeout=2&connectTimeout=2&loginTimeout=3";
    }

    private static String resilient() {
        return raw().replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=30s";
    }

    private static long rows(String k) throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM net_t WHERE k = '" + k + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long stat(java.util.function.ToLongFunction<dev.resilientjdbc.retry.RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    @Test
    void cutTcpPathIsInvisibleToQueriesAndTransactions() throws Exception {
        try (Connection rawC = DriverManager.getConnection(raw()); Connection c = DriverManager.getConnection(resilient());
             Statement rawS = rawC.createStatement(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO net_t VALUES ('before-cut')");
            proxy.cutAll();
            assertThrows(SQLException.class, () -> rawS.executeQuery("SELECT 1"), "the raw driver sees the cut");
            s.executeUpdate("INSERT INTO net_t VALUES ('after-cut')");
            c.commit();
            c.setAutoCommit(true);
            proxy.cutAll();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM net_t")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
        }
        assertEquals(1, rows("before-cut"));
        assertEquals(1, rows("after-cut"));
    }

    /**
     * Issue 16: the application's own socketTimeout is its limit, not ours to multiply. In a blackhole the
     * call fails as the raw driver's does, within the limit, and is not made again. Issue 27: outside a
     * transaction the connection is then over, as the raw one is (isClosed, 08003) — no quiet reconnect;
     * a new connection works once the path is back.
     */
    @Test
    void blackholeFailsWithinTheApplicationsOwnSocketTimeoutAndEndsTheConnectionAsRaw() throws Exception {
        try (Connection rawC = DriverManager.getConnection(raw()); Connection c = DriverManager.getConnection(resilient());
             Statement rawS = rawC.createStatement(); Statement s = c.createStatement()) {
            long reconnectsBefore = stat(dev.resilientjdbc.retry.RetryStats::reconnects);
            proxy.blackhole(true);
            SQLException rawError = assertThrows(SQLException.class, () -> rawS.executeQuery("SELECT 1"), "the raw driver times out");
            long t0 = System.nanoTime();
            SQLException error = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 41 + 1"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(rawError.getSQLState(), error.getSQLState(), () -> "as the raw driver: " + error);
            // socketTimeout=2: one attempt, not ten with reconnects in between (it took 14 s before).
            assertTrue(ms < 3_500, "within the application's own 2 s limit: " + ms + " ms");
            proxy.blackhole(false);
            assertTrue(rawC.isClosed(), "the raw driver closed its connection");
            assertTrue(c.isClosed(), "and so is ours");
            assertFalse(c.isValid(1), "a pool's validation sees it too");
            SQLException rawNext = assertThrows(SQLException.class, () -> rawS.executeQuery("SELECT 1"));
            SQLException next = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertEquals("08003", rawNext.getSQLState(), rawNext.toString());
            assertEquals(rawNext.getSQLState(), next.getSQLState(), () -> "as the raw driver: " + next);
            assertEquals(reconnectsBefore, stat(dev.resilientjdbc.retry.RetryStats::reconnects), "nothing was tried again");
        }
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
            rs.next();
            assertEquals(42, rs.getInt(1), "a new connection works");
        }
    }

    /** The same for a limit set with Connection.setNetworkTimeout (no socketTimeout in the URL). */
    @Test
    void setNetworkTimeoutIsTheApplicationsLimitToo() throws Exception {
        String url = PostgresExtension.proxiedUrl(pg, proxy).replace("jdbc:", "jdbc:resilient:") + "?user=postgres";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setNetworkTimeout(pool, 1000);
            proxy.blackhole(true);
            long t0 = System.nanoTime();
            SQLException error = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("08006", error.getSQLState(), error.toString());
            assertTrue(ms < 2_500, "within the application's own 1 s limit: " + ms + " ms");
            proxy.blackhole(false);
            assertTrue(c.isClosed(), "over, as the raw connection is");
            SQLException next = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 41 + 1"));
            assertEquals("08003", next.getSQLState(), next.toString());
        }
    }

    /**
     * Inside a transaction that had work the application's own limit loses the transaction (40000 until
     * rollback) and the timed-out statement is never run again; after the rollback the connection goes on.
     */
    @Test
    void ownTimeoutInsideATransactionLosesItAndTheConnectionGoesOnAfterRollback() throws Exception {
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO net_t VALUES ('timed-out-tx')");
            proxy.blackhole(true);
            SQLException error = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertTrue(dev.resilientjdbc.retry.RerunRules.applicationTimeLimit(error), "the fault hit: the own limit ran out: " + error);
            proxy.blackhole(false);
            SQLException lost = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertEquals("40000", lost.getSQLState(), lost.toString());
            assertFalse(c.isClosed(), "the transaction is lost, not the connection");
            c.rollback();
            s.executeUpdate("INSERT INTO net_t VALUES ('after-timed-out-tx')");
            c.commit();
        }
        assertEquals(0, rows("timed-out-tx"), "the lost transaction never committed");
        assertEquals(1, rows("after-timed-out-tx"));
    }

    /**
     * Cuts the TCP path once the proxy has dropped the reply its trigger armed for and the server has done
     * what it was sent ({@code serverDone}, asked on a direct connection): the lost reply is noticed at once.
     */
    private Future<?> cutOnceTheReplyIsDropped(java.util.function.BooleanSupplier serverDone) {
        return pool.submit(() -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((proxy.dropTriggerArmed() || !serverDone.getAsBoolean()) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            proxy.cutAll();
            return null;
        });
    }

    /** The row {@code k} is committed. */
    private static java.util.function.BooleanSupplier committed(String k) {
        return () -> {
            try {
                return rows(k) == 1;
            } catch (SQLException e) {
                return false;
            }
        };
    }

    /** A session ran {@code sql} and now waits, its transaction open. */
    private static java.util.function.BooleanSupplier idleInTransactionAfter(String sql) {
        return () -> {
            try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
                         + " AND query = '" + sql.replace("'", "''") + "'")) {
                rs.next();
                return rs.getInt(1) > 0;
            } catch (SQLException e) {
                return false;
            }
        };
    }

    @Test
    void commitWhoseReplyIsLostIsResolvedAsCommitted() throws Exception {
        long resolvedBefore = stat(dev.resilientjdbc.retry.RetryStats::inDoubtCommitted);
        // Raw first: the server commits, the application is told it failed.
        try (Connection rawC = DriverManager.getConnection(raw()); Statement s = rawC.createStatement()) {
            rawC.setAutoCommit(false);
            s.executeUpdate("INSERT INTO net_t VALUES ('raw-commit')");
            proxy.dropRepliesAfterClientSends("COMMIT");
            assertThrows(SQLException.class, rawC::commit);
            proxy.dropRepliesAfterClientSends(null);
        }
        assertEquals(1, rows("raw-commit"), "committed although the raw application was told it failed");

        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO net_t VALUES ('in-doubt')");
            // The COMMIT reaches the server; its reply never comes back, and the TCP path is cut.
            proxy.dropRepliesOnceAfterClientSends("COMMIT");
            Future<?> cut = cutOnceTheReplyIsDropped(committed("in-doubt"));
            c.commit(); // returns normally: the database is asked, and it committed
            cut.get();
        }
        assertEquals(1, rows("in-doubt"), "exactly once");
        assertTrue(stat(dev.resilientjdbc.retry.RetryStats::inDoubtCommitted) > resolvedBefore, "resolved through pg_xact_status");
    }

    /**
     * pgjdbc sends a prepared statement's text once and, from its fifth execution on a connection, only binds it
     * by name. The proxy's trigger still strikes then (raw pgjdbc: the reply to the eighth execution never comes).
     */
    @Test
    void aTriggerStrikesAStatementSentOnlyByName() throws Exception {
        try (Connection rawC = DriverManager.getConnection(raw());
             PreparedStatement ps = rawC.prepareStatement("SELECT 'trigger-by-name', ?::int")) {
            for (int i = 0; i < 7; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                }
            }
            try (Statement s = rawC.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT ''trigger-by-name''%'")) {
                assertTrue(rs.next() && rs.getInt(1) == 1, "pgjdbc sends the statement by name now: its text no longer crosses the wire");
            }
            proxy.dropRepliesOnceAfterClientSends("trigger-by-name");
            ps.setInt(1, 7);
            assertThrows(SQLException.class, ps::executeQuery, "the reply to a statement bound by name is dropped");
            assertFalse(proxy.dropTriggerArmed(), "the trigger struck");
        }
    }

    /**
     * The commit marker and COMMIT are one prepared text, server-prepared by name from the fifth commit on a
     * connection (as the application's statements are): a COMMIT sent that way whose reply is lost is settled as
     * committed by its marker, exactly once.
     */
    @Test
    void aCommitSentByNameWhoseReplyIsLostIsResolvedAsCommitted() throws Exception {
        long resolvedBefore = stat(dev.resilientjdbc.retry.RetryStats::inDoubtCommitted);
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (int i = 0; i < 8; i++) {
                s.executeUpdate("INSERT INTO net_t VALUES ('named-" + i + "')");
                c.commit();
            }
            s.executeUpdate("INSERT INTO net_t VALUES ('named-in-doubt')");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_statements WHERE statement ILIKE 'commit%'")) {
                assertTrue(rs.next() && rs.getInt(1) > 0, "the COMMIT after the marker is a named statement of the session");
            }
            proxy.dropRepliesOnceAfterClientSends("COMMIT");
            Future<?> cut = cutOnceTheReplyIsDropped(committed("named-in-doubt"));
            c.commit(); // returns normally: the marker says it committed
            cut.get();
            assertFalse(proxy.dropTriggerArmed(), "the COMMIT's reply was dropped");
        }
        assertEquals(1, rows("named-in-doubt"), "exactly once");
        assertTrue(stat(dev.resilientjdbc.retry.RetryStats::inDoubtCommitted) > resolvedBefore, "resolved as committed");
    }

    /** The application's own socketTimeout runs out during COMMIT: 08007 within the limit, no waiting for an answer beyond it. */
    @Test
    void commitWhoseOwnSocketTimeoutRunsOutIs08007WithinTheLimit() throws Exception {
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO net_t VALUES ('own-limit')");
            proxy.dropRepliesOnceAfterClientSends("COMMIT");
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, c::commit);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("08007", e.getSQLState(), e.toString());
            assertTrue(ms < 3_500, "within the application's own 2 s limit: " + ms + " ms");
            // The next transaction runs on a new connection.
            s.executeUpdate("INSERT INTO net_t VALUES ('own-limit-next')");
            c.commit();
        }
        assertEquals(1, rows("own-limit"), "the server did commit: 08007 was the honest answer");
        assertEquals(1, rows("own-limit-next"));
    }

    /**
     * SELECT ... FOR UPDATE in autocommit whose reply is lost: its locks ended with it, so running it again changes
     * nothing. The raw driver fails; we answer the rows, not 08007 (the fuzzer's tally showed these 08007s).
     */
    @Test
    void anAutocommitLockingReadWhoseReplyIsLostRunsAgain() throws Exception {
        try (Connection d = DriverManager.getConnection(direct()); Statement s = d.createStatement()) {
            s.executeUpdate("INSERT INTO net_t VALUES ('locked-row')");
        }
        String sql = "SELECT k FROM net_t WHERE k = 'locked-row' FOR UPDATE";
        try (Connection rawC = DriverManager.getConnection(raw()); Statement rawS = rawC.createStatement()) {
            proxy.dropRepliesOnceAfterClientSends(sql);
            Future<?> cut = cutOnceTheReplyIsDropped(() -> true);
            assertThrows(SQLException.class, () -> rawS.executeQuery(sql), "the raw driver loses the reply");
            cut.get();
        }
        long reconnectsBefore = stat(dev.resilientjdbc.retry.RetryStats::reconnects);
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            proxy.dropRepliesOnceAfterClientSends(sql);
            Future<?> cut = cutOnceTheReplyIsDropped(() -> true);
            try (ResultSet rs = s.executeQuery(sql)) {
                assertTrue(rs.next(), "the row, read again on a new connection");
                assertEquals("locked-row", rs.getString(1));
            }
            cut.get();
        }
        assertTrue(stat(dev.resilientjdbc.retry.RetryStats::reconnects) > reconnectsBefore, "the reply was lost and we reconnected");
    }

    private static final String OWN_TRANSACTION = "/* own transaction */ ";

    @Test
    void autocommitWriteWithLostReplyIs08007ByDefaultAndAppliedOnceWithExactlyOnce() throws Exception {
        // Default: the reply to an autocommit INSERT never comes back; the server did apply it. Honest, but visible.
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            proxy.dropRepliesAfterClientSends("INSERT INTO net_t VALUES ('ac-default')");
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO net_t VALUES ('ac-default')"));
            proxy.dropRepliesAfterClientSends(null);
            assertEquals("08007", e.getSQLState(), e.toString());
        }
        assertEquals(1, rows("ac-default"), "applied, while the application was told the outcome is unknown");

        long committedBefore = stat(dev.resilientjdbc.retry.RetryStats::inDoubtCommitted);
        try (Connection c = DriverManager.getConnection(resilient() + "&resilient.autocommit.exactlyOnce=true");
             Statement s = c.createStatement()) {
            // Lost before COMMIT: its own transaction never committed, so it simply runs again. A leading comment keeps
            // the write out of the inline form (one exchange with its marker, PostgresLostCommitTest's INLINE cases):
            // this is the transaction-of-its-own path, which other writes (generated keys, RETURNING, batches) take.
            String statement = OWN_TRANSACTION + "INSERT INTO net_t VALUES ('ac-statement')";
            proxy.dropRepliesOnceAfterClientSends("INSERT INTO net_t VALUES ('ac-statement')");
            Future<?> cut = cutOnceTheReplyIsDropped(idleInTransactionAfter(statement));
            assertEquals(1, s.executeUpdate(statement));
            cut.get();
            assertTrue(c.getAutoCommit(), "still autocommit for the application");
        }
        // pgjdbc sends COMMIT's text only the first time on a connection (then a prepared statement): a new one.
        try (Connection c = DriverManager.getConnection(resilient() + "&resilient.autocommit.exactlyOnce=true");
             Statement s = c.createStatement()) {
            // Lost COMMIT reply: the server committed; asked, it says so, and the statement's own count is returned.
            proxy.dropRepliesOnceAfterClientSends("COMMIT");
            Future<?> cut = cutOnceTheReplyIsDropped(committed("ac-commit"));
            assertEquals(1, s.executeUpdate(OWN_TRANSACTION + "INSERT INTO net_t VALUES ('ac-commit')"));
            cut.get();
            assertEquals(1, s.executeUpdate("INSERT INTO net_t VALUES ('ac-after')"));
            // A statement's own error leaves as it is; its transaction is rolled back and autocommit goes on.
            SQLException dup = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO net_t VALUES ('ac-after')"));
            assertEquals("23505", dup.getSQLState());
            assertEquals(1, s.executeUpdate("INSERT INTO net_t VALUES ('ac-last')"));
            assertTrue(c.getAutoCommit());
        }
        assertEquals(1, rows("ac-last"));
        assertEquals(1, rows("ac-statement"), "exactly once");
        assertEquals(1, rows("ac-commit"), "exactly once");
        assertEquals(1, rows("ac-after"));
        assertTrue(stat(dev.resilientjdbc.retry.RetryStats::inDoubtCommitted) > committedBefore, "the lost COMMIT reply was settled");
    }

    @Test
    void commitLostBeforeTheServerGotItIsResolvedAsAbortedThenReplayed() throws Exception {
        String plan = "commit-lost-" + System.nanoTime();
        // The COMMIT message is lost on the way (injected), the connection dies; the real server rolls back. The fault
        // wrapper fails Connection.commit(), which only the fallback calls (the marker sends COMMIT with its upsert):
        // this is the fallback's test, the marker's are PostgresLostCommitTest's with real lost messages.
        FaultPlan.register(plan, 1, FaultRule.on("commit").nth(1).sqlState("08006").build());
        long abortedBefore = stat(dev.resilientjdbc.retry.RetryStats::inDoubtAborted);
        String url = "jdbc:resilient:faulty:postgresql://127.0.0.1:" + proxy.port() + "/" + pg.database()
                + "?user=postgres&socketTimeout=5&faulty.plan=" + plan + "&resilient.dialect=postgresql&resilient.indoubt.marker=false";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO net_t VALUES ('aborted-then-replayed')");
            c.commit();
        } finally {
            FaultPlan.unregister(plan);
        }
        assertEquals(1, rows("aborted-then-replayed"), "replayed and committed exactly once");
        assertTrue(stat(dev.resilientjdbc.retry.RetryStats::inDoubtAborted) > abortedBefore, "pg_xact_status said aborted");
    }
}
