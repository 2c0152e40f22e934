package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.AsyncCommit;
import dev.resilientjdbc.testkit.pg.PgQuery;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fence that settles a lost COMMIT as "not committed" waits for the marker row's lock, which an old transaction
 * that wrote the row and is still committing holds. Here another session holds that lock (as such a transaction
 * would) while the driver settles a COMMIT that never reached the server: released within the fence's wait, the
 * transaction is replayed and committed once; held past it, the application gets 08007 (unknown), nothing is
 * replayed, and the connection goes on committing afterwards.
 */
@PgTest
@PgSettings(crashSafe = true)
@org.junit.jupiter.api.Timeout(120)
class CommitFenceTest {
    private static PgServer pg;
    private static ChaosProxy proxy;

    @BeforeAll
    static void start(PgServer server, ChaosProxy chaos) {
        pg = server;
        proxy = chaos;
    }

    @BeforeEach
    void clean() throws SQLException {
        proxy.reset();
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS fence_t");
            s.execute("CREATE TABLE fence_t(k text NOT NULL)");
        }
    }

    @AfterEach
    void reset() {
        proxy.reset();
    }

    @Test
    void theFenceWaitsForTheRowLockThenSettlesAndReplays() throws Exception {
        Object outcome = lostCommitWhileTheRowIsLocked("released", Duration.ofMillis(1500), null);
        assertEquals(null, outcome, "the transaction was replayed and committed");
        assertEquals(1, rows("released"), "exactly once");
    }

    @Test
    void aRowLockedPastTheFencesWaitLeavesTheOutcomeUnknown() throws Exception {
        Object outcome = lostCommitWhileTheRowIsLocked("held", Duration.ofSeconds(8), null);
        SQLException e = assertInstanceOf(SQLException.class, outcome, "the application is told");
        assertEquals("08007", e.getSQLState(), e::toString);
        assertEquals(0, rows("held"), "the COMMIT never reached the server and nothing was replayed");
    }

    /**
     * resilient.indoubt.fenceWait: the row locked past the default 5 s (for which the test above gets 08007) but within
     * a longer wait is settled after all — replayed, committed once.
     */
    @Test
    void aLongerFenceWaitSettlesWhatTheDefaultLeavesUnknown() throws Exception {
        Object outcome = lostCommitWhileTheRowIsLocked("longer", Duration.ofSeconds(7), Duration.ofSeconds(20));
        assertEquals(null, outcome, "the transaction was replayed and committed");
        assertEquals(1, rows("longer"), "exactly once");
    }

    /**
     * An empty executeBatch() counts as a write but sends nothing, so pgjdbc has no transaction open: the COMMIT after
     * it sends what the raw driver's sends on the same calls (nothing), and cannot be lost (the fuzzer found it
     * answered 08007 when it asked the server first and the reply to that COMMIT was lost).
     */
    @Test
    void aCommitAfterAnEmptyBatchSendsWhatTheRawDriversSends() throws Exception {
        String raw = PostgresExtension.proxiedUrl(pg, proxy) + "?user=postgres";
        assertEquals(bytesSentByCommitAfterAnEmptyBatch(raw), bytesSentByCommitAfterAnEmptyBatch(resilient(true)));
    }

    private static long bytesSentByCommitAfterAnEmptyBatch(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("INSERT INTO fence_t VALUES (?)")) {
            c.setAutoCommit(false);
            ps.setString(1, "never");
            ps.addBatch();
            ps.clearBatch();
            assertEquals(0, ps.executeBatch().length);
            long before = proxy.bytesClientToServer();
            c.commit();
            long sent = proxy.bytesClientToServer() - before;
            assertEquals(0, rows("never"));
            return sent;
        }
    }

    /**
     * A transaction whose statements changed no row was given no transaction id: its COMMIT changes nothing, so a lost
     * reply to it is success, as a healthy database answers (with the marker off, where the id is the evidence).
     */
    @Test
    void aLostReplyToACommitThatWroteNothingIsSuccess() throws Exception {
        try (Connection c = DriverManager.getConnection(resilient(false)); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertEquals(0, s.executeUpdate("UPDATE fence_t SET k = k WHERE k = 'no such row'"));
            proxy.dropRepliesOnceAfterClientSends("COMMIT");
            CompletableFuture<SQLException> commit = AsyncCommit.start(c);
            awaitCondition(() -> !proxy.dropTriggerArmed(), "the COMMIT was sent (its reply dropped)");
            proxy.cutAll();
            assertEquals(null, commit.get(60, TimeUnit.SECONDS), "success, as on a healthy database");
        }
    }

    /**
     * resilient.indoubt.evidence=false: a writing transaction sends exactly the raw driver's bytes (no marker write, no
     * transaction id query) and no marker table is made in a database that has none; the price, shown here: a COMMIT
     * whose reply was lost answers 08007 at once, though it landed, where the marker would have settled it.
     */
    @Test
    void withoutEvidenceATransactionSendsWhatTheRawDriverSendsAndALostReplyIsUnknown() throws Exception {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS evidence_off");
            s.execute("CREATE DATABASE evidence_off");
        }
        String raw = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/evidence_off?user=postgres";
        String off = raw.replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=60s&resilient.indoubt.evidence=false";
        try (Connection c = DriverManager.getConnection(raw); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE fence_t(k text NOT NULL)");
        }
        assertEquals(bytesSentByATransaction(raw, "raw"), bytesSentByATransaction(off, "off"), "the raw driver's bytes");

        try (Connection c = DriverManager.getConnection(off); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO fence_t VALUES ('lost')");
            proxy.dropRepliesOnceAfterClientSends("COMMIT");
            CompletableFuture<SQLException> commit = AsyncCommit.start(c);
            awaitCondition(() -> !proxy.dropTriggerArmed(), "the COMMIT was sent (its reply dropped)");
            proxy.cutAll();
            SQLException e = assertInstanceOf(SQLException.class, commit.get(60, TimeUnit.SECONDS), "the application is told");
            assertEquals("08007", e.getSQLState(), e::toString);
        }
        try (Connection c = DriverManager.getConnection(raw.replace(":" + proxy.port() + "/", ":" + pg.port() + "/"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM fence_t WHERE k = 'lost'),"
                     + " to_regclass('resilient_commit_marker') IS NULL")) {
            rs.next();
            assertEquals(1, rs.getLong(1), "it had landed, once: nothing was replayed");
            assertTrue(rs.getBoolean(2), "no marker table was made");
        }
    }

    /** Bytes the client sent for one writing transaction: its INSERT and its COMMIT. */
    private static long bytesSentByATransaction(String url, String key) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            long before = proxy.bytesClientToServer();
            s.executeUpdate("INSERT INTO fence_t VALUES ('" + key + "')");
            c.commit();
            return proxy.bytesClientToServer() - before;
        }
    }

    private static String resilient(boolean marker) {
        return PostgresExtension.proxiedUrl(pg, proxy).replace("jdbc:", "jdbc:resilient:")
                + "?user=postgres&resilient.connect.maxDuration=60s&resilient.retry.maxDuration=60s"
                + "&resilient.indoubt.marker=" + marker;
    }

    /** Returns null when commit() succeeded, else what it threw. {@code fenceWait}: the option's value, null for its default (5 s). */
    private static Object lostCommitWhileTheRowIsLocked(String key, Duration holdFor, Duration fenceWait) throws Exception {
        String url = resilient(true) + (fenceWait == null ? "" : "&resilient.indoubt.fenceWait=" + fenceWait.toMillis() + "ms");
        Duration waits = fenceWait == null ? Duration.ofSeconds(5) : fenceWait;
        try (Connection c = DriverManager.getConnection(url); Connection blocker = DriverManager.getConnection(direct())) {
            c.setAutoCommit(false);
            int pid;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
                s.executeUpdate("INSERT INTO fence_t VALUES ('" + key + "-warm-up')");
            }
            c.commit(); // writes this connection's marker row: the newest one
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT run, slot FROM resilient_commit_marker ORDER BY at DESC LIMIT 1 FOR UPDATE")) {
                assertTrue(rs.next(), "the connection's marker row");
            }
            proxy.dropRequestsOnceContaining("COMMIT");
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO fence_t VALUES ('" + key + "')");
            }
            CompletableFuture<SQLException> commit = AsyncCommit.start(c);
            awaitCondition(() -> !proxy.dropRequestTriggerArmed(), "the COMMIT was sent (and dropped)");
            assertTrue(pg.terminateBackend(pid), "the old backend was terminated");
            awaitCondition(CommitFenceTest::someoneWaitsForTheMarkerRow, "the fence waits for the row's lock");
            try {
                commit.get(holdFor.toMillis(), TimeUnit.MILLISECONDS); // the row stays locked this long, unless commit() ends first
            } catch (TimeoutException stillWaiting) {
                // commit() waited all along
            }
            assertTrue(holdFor.compareTo(waits) > 0 || !commit.isDone(), "commit() waits while the row is locked");
            blocker.rollback();
            try {
                return commit.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            } finally {
                c.rollback();
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO fence_t VALUES ('" + key + "-after')");
                }
                c.commit();
                assertEquals(1, rows(key + "-after"), "the connection commits again afterwards");
            }
        }
    }

    private static boolean someoneWaitsForTheMarkerRow() {
        return PgQuery.any(direct(), "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE '%resilient_commit_marker%'");
    }

    private static long rows(String k) throws SQLException {
        return PgQuery.number(direct(), "SELECT count(*) FROM fence_t WHERE k = ?", k);
    }

    private static String direct() {
        return pg.jdbcUrl() + "?user=postgres";
    }

    private static void awaitCondition(BooleanSupplier done, String what) throws InterruptedException {
        dev.resilientjdbc.testkit.Await.until(Duration.ofSeconds(30), done, what);
    }
}
