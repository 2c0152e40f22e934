package dev.resilientjdbc.replay;

import dev.resilientjdbc.testkit.chaos.ChaosProxy;
import dev.resilientjdbc.testkit.ledger.LedgerChecker;
import dev.resilientjdbc.testkit.ledger.LedgerRun;
import dev.resilientjdbc.testkit.ledger.LedgerWorkload;
import dev.resilientjdbc.testkit.pg.PgServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For random schedules of real faults (seeded, shrinkable) — backends terminated, fast restarts,
 * crash restarts, the TCP path cut — the ledger run through resilient-jdbc keeps every invariant,
 * and the application sees no error but replay divergence (40001) or an unknown outcome (08007),
 * counted and printed. The same faults through the raw driver show errors.
 */
class LedgerFaultProperties {
    private static final Duration RUN = Duration.ofMillis(3000);
    private static PgServer pg;
    private static ChaosProxy proxy;

    @BeforeContainer
    static void start() {
        // Crashes must not lose acknowledged commits on the server side: fsync and synchronous commit on.
        pg = PgServer.builder().crashSafe(true).setting("deadlock_timeout", "50ms").start();
        proxy = ChaosProxy.start(pg.host(), pg.port());
    }

    @AfterContainer
    static void stop() {
        proxy.close();
        pg.close();
    }

    @Provide
    Arbitrary<List<FaultSchedule.At>> schedules() {
        return Combinators.combine(Arbitraries.of(ServerFault.class), Arbitraries.integers().between(300, 2500))
                .as((fault, ms) -> new FaultSchedule.At(fault, Duration.ofMillis(ms))).list().ofMinSize(1).ofMaxSize(3);
    }

    private static String url(boolean resilient) {
        String raw = "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + pg.database()
                + "?user=postgres&connectTimeout=5&socketTimeout=10&loginTimeout=10";
        return resilient ? raw.replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=20s" : raw;
    }

    private static LedgerWorkload.Result runUnder(List<FaultSchedule.At> schedule, boolean resilient, long seed) throws Exception {
        pg.ensureRunning();
        LedgerWorkload workload = LedgerWorkload.builder(url(resilient)).accounts(8).clients(4).readShare(0.2)
                .duration(RUN).seed(seed).reopenClosedConnections(!resilient).build();
        long t0 = System.nanoTime();
        try (LedgerRun run = workload.start()) {
            FaultSchedule.of(schedule).strike(t0, pg, proxy);
            return run.awaitResult();
        }
    }

    @Property(tries = 4, seed = "20261123")
    void ledgerHoldsAndOnlyDivergenceOrUnknownOutcomeReachTheApp(@ForAll("schedules") List<FaultSchedule.At> schedule) throws Exception {
        LedgerWorkload.Result result = runUnder(schedule, true, schedule.hashCode());
        LedgerChecker.Report report;
        try (Connection c = pg.connect()) {
            report = LedgerChecker.check(c, result);
        }
        Map<String, Long> byState = result.failuresBySqlState();
        System.out.printf("faults %s: committed %d, failed %s, reads failed %s, longest pause %s%n",
                schedule, result.committed(), byState, result.readFailuresBySqlState(), result.longestPause());
        assertTrue(report.ok(), () -> schedule + "\n" + report);
        for (String state : byState.keySet()) {
            assertTrue("40001".equals(state) || "08007".equals(state), () -> "only divergence or unknown outcome may reach the app: "
                    + byState + " under " + schedule);
        }
        assertEquals(Map.of(), result.readFailuresBySqlState(), "autocommit reads never fail");
        assertTrue(result.committed() > 0, result::toString);
    }

    @Example
    void rawDriverSeesErrorsUnderTheSameFaults() throws Exception {
        List<FaultSchedule.At> schedule = List.of(new FaultSchedule.At(ServerFault.TERMINATE_BACKENDS, Duration.ofMillis(600)),
                new FaultSchedule.At(ServerFault.FAST_RESTART, Duration.ofMillis(1500)));
        LedgerWorkload.Result result = runUnder(schedule, false, 7);
        System.out.printf("raw driver under %s: committed %d, failed %s, reads failed %s%n",
                schedule, result.committed(), result.failuresBySqlState(), result.readFailuresBySqlState());
        assertTrue(result.failed() + result.readsFailed() > 0, "the faults are real: the raw application sees errors");
        try (Connection c = pg.connect()) {
            LedgerChecker.Report report = LedgerChecker.check(c, result);
            assertTrue(report.ok(), () -> "and the database stays consistent (PostgreSQL's own guarantee)\n" + result + "\n" + report);
        }
    }
}
