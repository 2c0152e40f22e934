package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.testkit.AsyncCommit;
import dev.resilientjdbc.testkit.Await;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A COMMIT stalled for real: the server has committed it locally and waits for a synchronous standby that never
 * answers (synchronous_standby_names names one that does not exist), holding the transaction's locks, its marker
 * row's among them, and nobody else sees its writes yet. Then the client's connection is cut, so the reply is lost.
 * The raw driver reports the failure of a COMMIT that landed; the resilient driver ends the old backend (which turns
 * the stalled COMMIT into a local commit and lets its locks go), finds its own sequence in the marker row and
 * reports success, with the row there once. Only the sessions that ask for it wait for the standby
 * (synchronous_commit=on for the one transaction); every other commit of the server is local.
 */
@PgTest
@PgSettings(crashSafe = true, settings = {"synchronous_standby_names=nosuch", "synchronous_commit=local"})
@org.junit.jupiter.api.Timeout(120)
class SyncStandbyStallTest {
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
            s.execute("DROP TABLE IF EXISTS stall_t");
            s.execute("CREATE TABLE stall_t(k text NOT NULL)");
        }
    }

    @AfterEach
    void reset() {
        proxy.reset();
    }

    @Test
    void aCommitStalledForASynchronousStandbyWhoseReplyIsLostIsSettledAsCommitted() throws Exception {
        String raw = PostgresExtension.proxiedUrl(pg, proxy) + "?user=postgres";
        Object rawOutcome = stalledCommitCut(raw, "raw");
        assertInstanceOf(SQLException.class, rawOutcome, "the raw driver reports the COMMIT failed");
        assertEquals(1, rows("raw"), "though it landed (committed locally once its backend was ended)");

        String resilient = raw.replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=60s";
        long byMarker = markerAnswers();
        Object outcome = stalledCommitCut(resilient, "resilient");
        assertEquals(null, outcome, "the COMMIT that landed is reported as such");
        assertEquals(byMarker + 1, markerAnswers(), "the lost COMMIT was settled by its marker row");
        assertEquals(1, rows("resilient"), "exactly once: not replayed");
    }

    /** Returns null when commit() returned normally, else what it threw. */
    private static Object stalledCommitCut(String url, String key) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO stall_t VALUES ('" + key + "-before')");
            }
            c.commit(); // local: writes the resilient connection's marker row
            int pid;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
                s.execute("SET LOCAL synchronous_commit = on"); // this transaction's COMMIT waits for the standby
                s.executeUpdate("INSERT INTO stall_t VALUES ('" + key + "')");
            }
            CompletableFuture<SQLException> commit = AsyncCommit.start(c);
            Await.until(Duration.ofSeconds(30), () -> waitsForTheStandby(pid), "the COMMIT waits for the synchronous standby");
            assertEquals(0, rows(key), "not visible while it waits");
            proxy.cutAll();
            if (url.startsWith("jdbc:postgresql:")) {
                Object failed = commit.get(30, TimeUnit.SECONDS);
                // As an application would find out afterwards: the backend is ended, and the COMMIT turns out to be there.
                assertTrue(pg.terminateBackend(pid) || !waitsForTheStandby(pid), "the stalled backend is ended");
                Await.until(Duration.ofSeconds(30), () -> !waitsForTheStandby(pid), "the stalled backend is gone");
                return failed;
            }
            Object outcome = commit.get(60, TimeUnit.SECONDS);
            assertTrue(!waitsForTheStandby(pid), "the driver ended the stalled backend");
            return outcome;
        }
    }

    /** Lost COMMITs the driver settled by the marker row, on this test's target. */
    private static long markerAnswers() {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream()
                .mapToLong(g -> g.stats().inDoubtEvidence(RerunRules.InDoubtEvidence.MARKER.ordinal())).sum();
    }

    private static boolean waitsForTheStandby(int pid) {
        return PgQuery.any(direct(), "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND wait_event = 'SyncRep'", pid);
    }

    private static long rows(String k) throws SQLException {
        return PgQuery.number(direct(), "SELECT count(*) FROM stall_t WHERE k = ?", k);
    }

    private static String direct() {
        return pg.jdbcUrl() + "?user=postgres";
    }
}
