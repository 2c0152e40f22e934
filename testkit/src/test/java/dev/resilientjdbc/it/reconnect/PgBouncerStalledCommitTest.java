package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.testkit.Await;
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
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A COMMIT stalled behind PgBouncer (transaction pooling): the server committed it locally and waits for a synchronous
 * standby that never answers (synchronous_standby_names names one that does not exist; only this transaction asks to
 * wait, synchronous_commit=on for it alone), holding its locks, its marker row's among them; then the client's
 * connection is cut. The old session cannot be ended by its pid (pgjdbc's is PgBouncer's made-up key), and its lock
 * would keep the fence waiting past resilient.indoubt.fenceWait: 08007 before. The driver finds the session by the
 * transaction that holds its marker row, ends it (the stalled COMMIT is then committed locally and lets its locks go),
 * reads its own sequence in the row and reports success. Needs /usr/sbin/pgbouncer, as PgBouncerTest.
 */
@PgTest
@PgSettings(crashSafe = true, settings = {"synchronous_standby_names=nosuch", "synchronous_commit=local"})
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PgBouncerStalledCommitTest {
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
            s.execute("CREATE TABLE stalled_journal (note text NOT NULL)");
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

    @Test
    void aCommitStalledBehindPgBouncerIsSettledByEndingTheSessionHoldingItsMarkerRow() throws Exception {
        String url = "jdbc:resilient:postgresql://127.0.0.1:" + proxy.port() + "/" + pg.database()
                + "?user=postgres&prepareThreshold=0&resilient.connect.maxDuration=60s&resilient.retry.maxDuration=60s";
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO stalled_journal VALUES ('warm-up')"); // a local commit: the marker row is there
            }
            c.commit();
            long markerAnswers = stat(s -> s.inDoubtEvidence(RerunRules.InDoubtEvidence.MARKER.ordinal()));
            long replays = stat(RetryStats::replays);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL synchronous_commit = on"); // this COMMIT waits for the standby
                s.executeUpdate("INSERT INTO stalled_journal VALUES ('stalled')");
            }
            CompletableFuture<Object> commit = CompletableFuture.supplyAsync(() -> {
                try {
                    c.commit();
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            Await.until(Duration.ofSeconds(30), () -> stalledBackend() != 0, "the COMMIT waits for the synchronous standby");
            int old = stalledBackend();
            assertEquals(0, count("stalled"), "not visible while it waits");
            long cut = System.nanoTime();
            proxy.cutAll();
            Object outcome = commit.get(90, TimeUnit.SECONDS);
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
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep'")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String note) throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM stalled_journal WHERE note = '" + note + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long stat(ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    private static String direct() {
        return pg.jdbcUrl() + "?user=postgres";
    }
}
