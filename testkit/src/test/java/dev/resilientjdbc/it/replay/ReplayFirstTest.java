package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.retry.TargetGuard;
import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 22 point 5: after an outage, interrupted transactions replay before new work starts on their target.
 * Without it a client that reconnects with nothing in flight starts a transfer on the very accounts another
 * client's interrupted transfer is about to replay, the replay reads a changed balance and diverges (40001):
 * the application races itself. The ledger (4 clients, few accounts, the server restarted fast and crashed
 * in turn every 1.5 s) runs with {@code resilient.replay.firstWait=0} (new work never waits) and with the
 * default, one after the other on the same server; both keep every invariant, and the default shows far
 * fewer 40001.
 */
@PgTest
@PgSettings(crashSafe = true)
class ReplayFirstTest {
    private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("replayFirst.seconds", 20));
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    private static String url(String firstWait) {
        return "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database()
                + "?user=postgres&connectTimeout=5&socketTimeout=10&loginTimeout=10&resilient.connect.maxDuration=20s"
                + (firstWait == null ? "" : "&resilient.replay.firstWait=" + firstWait);
    }

    private static List<TargetGuard> guards() {
        return ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/");
    }

    private static long sum(ToLongFunction<RetryStats> stat) {
        return guards().stream().mapToLong(g -> stat.applyAsLong(g.stats())).sum();
    }

    private record Run(LedgerWorkload.Result result, LedgerChecker.Report report, long replays, long diverged, long held, long pastBudget) {
        long serializationFailures() {
            return result.failuresBySqlState().getOrDefault("40001", 0L);
        }

        @Override
        public String toString() {
            String errors = result.failures().values().stream().limit(6)
                    .map(f -> "\n  " + f.sqlState() + (f.atCommit() ? " at COMMIT: " : ": ") + f.message()).reduce("", String::concat);
            return serializationFailures() + " x 40001" + errors + "\n  " + replays + " replays (" + diverged + " diverged), new work held "
                    + held + " times (" + pastBudget + " past the budget); " + result + "\n" + report;
        }
    }

    private static Run ledger(String firstWait, long seed) throws Exception {
        long replaysBefore = sum(RetryStats::replays);
        long divergedBefore = sum(RetryStats::divergences);
        long heldBefore = guards().stream().mapToLong(g -> g.replayTurns().held()).sum();
        long pastBefore = guards().stream().mapToLong(g -> g.replayTurns().heldPastBudget()).sum();
        FaultSchedule faults = FaultSchedule.inTurn(Duration.ofMillis(1500), RUN.minusMillis(1500),
                ServerFault.FAST_RESTART, ServerFault.CRASH_RESTART);
        LedgerWorkload workload = LedgerWorkload.builder(url(firstWait)).accounts(12).clients(4).readShare(0.1)
                .duration(RUN).seed(seed).reopenClosedConnections(false).build();
        LedgerWorkload.Result result;
        try (LedgerRun r = workload.start()) {
            faults.strike(System.nanoTime(), pg, null);
            result = r.awaitResult();
        }
        LedgerChecker.Report report;
        try (Connection c = pg.connect()) {
            report = LedgerChecker.check(c, result);
        }
        long held = guards().stream().mapToLong(g -> g.replayTurns().held()).sum() - heldBefore;
        Run run = new Run(result, report, sum(RetryStats::replays) - replaysBefore, sum(RetryStats::divergences) - divergedBefore, held,
                guards().stream().mapToLong(g -> g.replayTurns().heldPastBudget()).sum() - pastBefore);
        System.out.println("firstWait=" + (firstWait == null ? "default" : firstWait) + ": " + run);
        assertTrue(report.ok(), run::toString);
        assertEquals(List.of(), LedgerStatementReuseTest.errorsBut(result, "40001"), run::toString);
        assertEquals(Map.of(), result.readFailuresBySqlState(), run::toString);
        assertEquals(List.of(), result.hungThreads(), run::toString);
        assertTrue(run.replays() > 0, () -> "the faults interrupted transactions that replayed: " + run);
        return run;
    }

    @Test
    void interruptedTransactionsReplayBeforeNewWork() throws Exception {
        Run without = ledger("0", 2201);
        Run with = ledger(null, 2201);
        System.out.println("40001 per run: new work never waits " + without.serializationFailures() + ", replay first "
                + with.serializationFailures());
        assertEquals(0, without.held(), "with firstWait=0 nothing waits");
        assertTrue(with.held() > 0, () -> "new work waited for replays at least once: " + with);
        // The fault itself can reorder: the server ends its backends one after another, and a transaction waiting for
        // a lock of one already ended takes the lock and commits before its own end — no client can undo that, so a
        // divergence or two can remain. What the application's own new work did is gone.
        assertTrue(with.serializationFailures() < without.serializationFailures() && with.serializationFailures() <= 3,
                () -> "replay first leaves fewer 40001 than new work that never waits, and at most 3: " + with + "\nwithout: " + without);
    }
}
