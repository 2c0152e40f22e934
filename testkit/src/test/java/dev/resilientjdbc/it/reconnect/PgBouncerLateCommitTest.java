package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.testkit.AsyncCommit;
import dev.resilientjdbc.testkit.pg.PgQuery;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A COMMIT whose bytes reach the server after the driver has settled it as "not committed" must not commit. Behind
 * PgBouncer (transaction pooling) the backend pid pgjdbc reports is the pooler's made-up key, so the old session
 * cannot be found by it (only by the marker row it holds once its COMMIT runs: the stalled case below); and a
 * request held up on its way (in the network, in the pooler) can still
 * arrive after the client gave up. The chaos proxy in front of PgBouncer holds the marker write and COMMIT of one
 * transaction, cuts the client's side of that connection (its server side, and PgBouncer's server connection with
 * the open transaction, stay), the driver settles the COMMIT on a new connection and replays the transaction; then
 * the held bytes are delivered. Exactly one journal row may be there at the end, and the late COMMIT must have been
 * refused (its transaction left aborted). Needs /usr/sbin/pgbouncer, as PgBouncerTest.
 */
@PgTest
// Commits are local unless a transaction asks for the synchronous standby, which does not exist: the stalled COMMIT's
// case. With no standby connected, "local" is what every other commit here got before.
@PgSettings(crashSafe = true, settings = {"synchronous_standby_names=nosuch", "synchronous_commit=local"})
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PgBouncerLateCommitTest {
    private static PgServer pg;
    private static PgBouncerProcess bouncer;
    private static ChaosProxy proxy;

    @BeforeAll
    static void start(PgServer server) throws Exception {
        Assumptions.assumeTrue(PgBouncerProcess.installed() || "true".equals(System.getenv("CI")),
                "PgBouncer is not installed (apt-get install pgbouncer); .ci/run installs it, so this runs in CI");
        pg = server;
        bouncer = PgBouncerProcess.start(server.port(), server.database(), 4);
        proxy = ChaosProxy.start("127.0.0.1", bouncer.port());
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE late_journal (note text NOT NULL)");
            s.execute("CREATE TABLE late_account (id int PRIMARY KEY, balance bigint NOT NULL)");
            s.execute("INSERT INTO late_account VALUES (1, 0)");
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (bouncer != null) {
            bouncer.close();
        }
    }

    /** Through the chaos proxy and PgBouncer; prepareThreshold=0 as transaction pooling needs. */
    private static String resilientUrl() {
        return "jdbc:resilient:postgresql://127.0.0.1:" + proxy.port() + "/" + pg.database()
                + "?user=postgres&prepareThreshold=0&resilient.connect.maxDuration=60s&resilient.retry.maxDuration=60s";
    }

    private static String direct() {
        return pg.jdbcUrl() + "?user=postgres";
    }

    @Test
    void aCommitSettledAsNotCommittedCannotLandLate() throws Exception {
        try (Connection c = DriverManager.getConnection(resilientUrl())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO late_journal VALUES ('warm-up')"); // the connection's marker row is written
            }
            c.commit();
            long markerAnswers = stat(s -> s.inDoubtEvidence(RerunRules.InDoubtEvidence.MARKER.ordinal()));

            proxy.holdRequestsOnceContaining("COMMIT");
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO late_journal VALUES ('once')");
            }
            CompletableFuture<SQLException> commit = AsyncCommit.start(c);
            awaitCondition(() -> !proxy.holdTriggerArmed(), "the COMMIT is held");
            int oldBackend = openTransactionBackend();
            proxy.cutHeldClients();
            assertEquals(null, commit.get(90, TimeUnit.SECONDS), "settled as not committed, replayed, committed on a new connection");

            assertTrue(stat(s -> s.inDoubtEvidence(RerunRules.InDoubtEvidence.MARKER.ordinal())) > markerAnswers,
                    "the lost COMMIT was settled by the marker");
            assertEquals(1, count("once"), "the replayed transaction committed once");
            assertEquals("idle in transaction", state(oldBackend), "the old transaction is still open behind PgBouncer");

            proxy.releaseHeld();
            awaitCondition(() -> !"idle in transaction".equals(state(oldBackend)) && !"active".equals(state(oldBackend)),
                    "the late COMMIT has been answered");
            assertEquals("idle in transaction (aborted)", state(oldBackend), "the late marker write was refused");
            assertEquals(1, count("once"), "the late COMMIT did not apply the transaction a second time");
        }
    }

    /**
     * The other side of the same coin: the client's connection to PgBouncer is cut (reset) while its COMMIT never got
     * there, with the transaction holding a row lock the replay needs. PgBouncer sees its client go and closes the server
     * connection with the open transaction, so its locks go with it: the driver settles the COMMIT (not committed),
     * replays on a new connection, and the replay's UPDATE does not wait for the old transaction — the application
     * sees one commit() that took a moment, the row moved once.
     */
    @Test
    void aTransactionCutBehindPgBouncerIsReplayedWithoutWaitingForItsOldLocks() throws Exception {
        try (Connection c = DriverManager.getConnection(resilientUrl())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO late_journal VALUES ('warm-up 2')");
            }
            c.commit();
            long replays = stat(RetryStats::replays);
            proxy.dropRequestsOnceContaining("COMMIT");
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE late_account SET balance = balance + 1 WHERE id = 1"); // locks the row
                s.executeUpdate("INSERT INTO late_journal VALUES ('moved')");
            }
            CompletableFuture<SQLException> commit = AsyncCommit.start(c);
            awaitCondition(() -> !proxy.dropRequestTriggerArmed(), "the COMMIT was sent (and dropped)");
            int oldBackend = openTransactionBackend();
            long cut = System.nanoTime();
            proxy.cutAll();
            assertEquals(null, commit.get(90, TimeUnit.SECONDS), "replayed and committed");
            long tookMs = (System.nanoTime() - cut) / 1_000_000;
            System.out.printf("pgbouncer: a cut transaction settled and replayed in %d ms after the cut%n", tookMs);

            assertTrue(stat(RetryStats::replays) > replays, "the transaction was replayed");
            awaitCondition(() -> "gone".equals(state(oldBackend)), "PgBouncer closed the server connection with the open transaction");
            assertEquals(1, count("moved"), "committed once");
            try (Connection d = DriverManager.getConnection(direct()); Statement s = d.createStatement();
                 ResultSet rs = s.executeQuery("SELECT balance FROM late_account WHERE id = 1")) {
                rs.next();
                assertEquals(1, rs.getLong(1), "the row moved once");
            }
            // The fence's 5 s wait, or a replay blocked on the old row lock, would show here.
            assertTrue(tookMs < 5_000, () -> "commit() took " + tookMs + " ms after the cut");
        }
    }

    /**
     * A COMMIT stalled behind PgBouncer: the server committed it locally and waits for a synchronous standby that never
     * answers (the class's settings name one that does not exist; only this transaction asks to wait,
     * synchronous_commit=on for it alone), holding its locks, its marker row's among them; then the client's connection
     * is cut. The old session cannot be ended by its pid (pgjdbc's is PgBouncer's made-up key), and its lock would keep
     * the fence waiting past resilient.indoubt.fenceWait: 08007 before. The driver finds the session by the transaction
     * that holds its marker row, ends it (the stalled COMMIT is then committed locally and lets its locks go), reads its
     * own sequence in the row and reports success.
     */
    @Test
    void aCommitStalledBehindPgBouncerIsSettledByEndingTheSessionHoldingItsMarkerRow() throws Exception {
        try (Connection c = DriverManager.getConnection(resilientUrl())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO late_journal VALUES ('warm-up 3')"); // a local commit: the marker row is there
            }
            c.commit();
            long markerAnswers = stat(s -> s.inDoubtEvidence(RerunRules.InDoubtEvidence.MARKER.ordinal()));
            long replays = stat(RetryStats::replays);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL synchronous_commit = on"); // this COMMIT waits for the standby
                s.executeUpdate("INSERT INTO late_journal VALUES ('stalled')");
            }
            CompletableFuture<SQLException> commit = AsyncCommit.start(c);
            awaitCondition(() -> stalledBackend() != 0, "the COMMIT waits for the synchronous standby");
            int old = stalledBackend();
            assertEquals(0, count("stalled"), "not visible while it waits");
            long cut = System.nanoTime();
            proxy.cutAll();
            SQLException outcome = commit.get(90, TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - cut) / 1_000_000;
            System.out.printf("pgbouncer: a stalled COMMIT settled %d ms after the cut%n", tookMs);

            assertEquals(null, outcome, "the COMMIT that landed is reported as such");
            assertEquals(markerAnswers + 1, stat(s -> s.inDoubtEvidence(RerunRules.InDoubtEvidence.MARKER.ordinal())),
                    "the lost COMMIT was settled by its marker row");
            assertEquals(replays, stat(RetryStats::replays), "nothing replayed");
            assertEquals(0, stalledBackend(), "the driver ended the stalled session");
            assertEquals(1, count("stalled"), "committed once");
            assertTrue(tookMs < 5_000, () -> "settled without waiting out the fence: " + tookMs + " ms");
        }
    }

    /** The backend waiting for the synchronous standby, or 0. */
    private static int stalledBackend() {
        try {
            return (int) PgQuery.number(direct(), "SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one backend with a transaction open (the held one's), found directly. */
    private static int openTransactionBackend() throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction'"
                     + " AND datname = current_database() AND pid <> pg_backend_pid()")) {
            assertTrue(rs.next(), "a transaction is open behind PgBouncer");
            int pid = rs.getInt(1);
            assertTrue(!rs.next(), "only one transaction is open");
            return pid;
        }
    }

    private static String state(int pid) {
        try {
            String state = PgQuery.text(direct(), "SELECT state FROM pg_stat_activity WHERE pid = ?", pid);
            return state == null ? "gone" : state;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String note) throws SQLException {
        return PgQuery.number(direct(), "SELECT count(*) FROM late_journal WHERE note = ?", note);
    }

    private static long stat(java.util.function.ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    private static void awaitCondition(BooleanSupplier done, String what) throws InterruptedException {
        dev.resilientjdbc.testkit.Await.until(Duration.ofSeconds(30), done, what);
    }
}
