package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 24 point 6: the driver behind Debian's PgBouncer (1.18) in transaction pooling mode. The ledger
 * runs through it with the driver's defaults (commit marker on) and pgjdbc's {@code prepareThreshold=0}:
 * with pgjdbc's default (server-side prepared statements after 5 uses) raw pgjdbc and ours alike meet
 * 26000/42P05 (the statement was prepared on another server connection), a pooler's limit that no
 * driver in front can hide. Then PostgreSQL restarts behind PgBouncer mid-run: raw pgjdbc gets
 * errors, ours only 40001. Needs /usr/sbin/pgbouncer (.ci/run installs it); outside CI it skips
 * without it, saying so; in CI a missing PgBouncer fails the test.
 */
@PgTest
@PgSettings(crashSafe = true)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PgBouncerTest {
    private static PgServer pg;
    private static PgBouncerProcess bouncer;

    @BeforeAll
    static void start(PgServer server) throws Exception {
        Assumptions.assumeTrue(PgBouncerProcess.installed() || "true".equals(System.getenv("CI")),
                "PgBouncer is not installed (apt-get install pgbouncer); .ci/run installs it, so this runs in CI");
        pg = server;
        bouncer = PgBouncerProcess.start(server.port(), server.database(), 4);
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) {
            System.out.println("pgbouncer log tail: " + tail(bouncer.log(), 1500));
            bouncer.close();
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }

    private static LedgerWorkload.Result ledger(String url, Runnable midRun) throws Exception {
        LedgerRun run = LedgerWorkload.builder(url).accounts(10).clients(4).readShare(0.2).seed(6)
                .duration(Duration.ofSeconds(5)).stopGrace(Duration.ofSeconds(5)).build().start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (run.committedSoFar() < 30 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        midRun.run();
        LedgerWorkload.Result result = run.awaitResult();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres&prepareThreshold=0")) {
            LedgerChecker.Report report = LedgerChecker.check(c, result);
            System.out.println("pgbouncer ledger " + url + ": " + result.committed() + " committed, errors "
                    + result.failuresBySqlState() + ", read errors " + result.readFailuresBySqlState() + "; " + report);
            assertTrue(report.ok(), report::toString);
        }
        return result;
    }

    @Test
    void theLedgerRunsThroughTransactionPooling() throws Exception {
        LedgerWorkload.Result ours = ledger(bouncer.jdbcUrl(pg.database()).replace("jdbc:", "jdbc:resilient:") + "?user=postgres&prepareThreshold=0",
                () -> { });
        assertTrue(ours.committed() > 100, ours::toString);
        assertEquals(0, ours.failed() + ours.readsFailed(), () -> "no error: " + ours.failuresBySqlState() + " " + ours.readFailuresBySqlState());
    }

    @Test
    void theLedgerKeepsItsInvariantsWhilePostgresRestartsBehindPgBouncer() throws Exception {
        LedgerWorkload.Result raw = ledger(bouncer.jdbcUrl(pg.database()) + "?user=postgres&prepareThreshold=0", pg::restart);
        LedgerWorkload.Result ours = ledger(bouncer.jdbcUrl(pg.database()).replace("jdbc:", "jdbc:resilient:") + "?user=postgres&prepareThreshold=0",
                pg::restart);
        System.out.println("pgbouncer restart: raw errors " + raw.failuresBySqlState() + " / " + raw.readFailuresBySqlState()
                + ", ours " + ours.failuresBySqlState() + " / " + ours.readFailuresBySqlState());
        assertTrue(raw.failed() + raw.readsFailed() > 0, "the restart hit the raw driver: " + raw.failuresBySqlState());
        assertTrue(ours.committed() > 100, ours::toString);
        // A transaction replayed after the restart may read balances other threads changed meanwhile: 40001. Nothing else.
        assertEquals(java.util.Set.of(), ours.failuresBySqlState().keySet().stream().filter(k -> !k.equals("40001"))
                .collect(java.util.stream.Collectors.toSet()), () -> "only 40001 reached the application: " + ours.failuresBySqlState());
        assertEquals(0, ours.readsFailed(), () -> "no read failed: " + ours.readFailuresBySqlState());
    }
}
