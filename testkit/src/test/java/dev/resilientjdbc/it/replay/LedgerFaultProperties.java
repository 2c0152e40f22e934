package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.control.pg.PgServer;
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
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For random schedules of real faults (seeded, shrinkable) — backends terminated, fast restarts,
 * crash restarts, the TCP path cut — the ledger run through resilient-jdbc keeps every invariant,
 * and the application sees no error but replay divergence (40001) or an unknown outcome (08007),
 * counted and printed. Each resilient run proves its faults hit: they took down client connections,
 * and the driver counted reconnects. The same faults through the raw driver show errors.
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

    private static long stat(ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    /** A run, how many client connections its faults took down, and the reconnects and replays the driver counted in it. */
    private record Run(LedgerWorkload.Result result, int connectionsHit, long reconnects, long replays) {
        @Override
        public String toString() {
            return result + "; faults hit " + connectionsHit + " connections; driver: " + reconnects + " reconnects, " + replays + " replays";
        }
    }

    private static Run runUnder(List<FaultSchedule.At> schedule, boolean resilient, long seed) throws Exception {
        pg.ensureRunning();
        LedgerWorkload workload = LedgerWorkload.builder(url(resilient)).accounts(8).clients(4).readShare(0.2)
                .duration(RUN).seed(seed).reopenClosedConnections(!resilient).build();
        long reconnectsBefore = stat(RetryStats::reconnects);
        long replaysBefore = stat(RetryStats::replays);
        long t0 = System.nanoTime();
        int hit;
        LedgerWorkload.Result result;
        try (LedgerRun run = workload.start()) {
            hit = FaultSchedule.of(schedule).strike(t0, pg, proxy);
            result = run.awaitResult();
        }
        return new Run(result, hit, stat(RetryStats::reconnects) - reconnectsBefore, stat(RetryStats::replays) - replaysBefore);
    }

    @Property(tries = 4, seed = "20261123")
    void ledgerHoldsAndOnlyDivergenceOrUnknownOutcomeReachTheApp(@ForAll("schedules") List<FaultSchedule.At> schedule) throws Exception {
        Run run = runUnder(schedule, true, schedule.hashCode());
        LedgerWorkload.Result result = run.result();
        LedgerChecker.Report report;
        try (Connection c = pg.connect()) {
            report = LedgerChecker.check(c, result);
        }
        Map<String, Long> byState = result.failuresBySqlState();
        System.out.printf("faults %s: committed %d, failed %s, reads failed %s, longest pause %s, connections hit %d, reconnects %d, replays %d%n",
                schedule, result.committed(), byState, result.readFailuresBySqlState(), result.longestPause(),
                run.connectionsHit(), run.reconnects(), run.replays());
        // The faults hit the resilient run: they took client connections down, and the driver replaced them.
        assertTrue(run.connectionsHit() > 0, () -> "the faults hit no connection: " + schedule + "\n" + run);
        assertTrue(run.reconnects() > 0, () -> "no reconnect was counted, so no fault hit the run: " + schedule + "\n" + run);
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
        Run run = runUnder(schedule, false, 7);
        LedgerWorkload.Result result = run.result();
        System.out.printf("raw driver under %s: committed %d, failed %s, reads failed %s%n",
                schedule, result.committed(), result.failuresBySqlState(), result.readFailuresBySqlState());
        assertTrue(result.failed() + result.readsFailed() > 0, "the faults are real: the raw application sees errors");
        assertTrue(run.connectionsHit() > 0, run::toString);
        try (Connection c = pg.connect()) {
            LedgerChecker.Report report = LedgerChecker.check(c, result);
            assertTrue(report.ok(), () -> "and the database stays consistent (PostgreSQL's own guarantee)\n" + result + "\n" + report);
        }
    }
}
