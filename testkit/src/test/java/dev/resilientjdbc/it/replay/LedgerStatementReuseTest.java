package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.retry.RetryStats;
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
 * Issue 13: a transfer that reuses one {@code PreparedStatement} for its debit and its credit (and
 * one for its two locked reads) must survive backends terminated, fast restarts and crash restarts
 * through {@code jdbc:resilient:} with the money intact. A replay that re-runs the debit and leaves
 * its parameters bound makes the credit a second debit: the checker sees two accounts short and
 * the total changed.
 */
@PgTest
@PgSettings(crashSafe = true)
class LedgerStatementReuseTest {
    private static final Duration FAULT_EVERY = Duration.ofSeconds(2);
    private static final ServerFault[] IN_TURN = {ServerFault.TERMINATE_BACKENDS, ServerFault.FAST_RESTART, ServerFault.CRASH_RESTART};

    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    private static String url() {
        return "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database()
                + "?user=postgres&connectTimeout=5&socketTimeout=10&loginTimeout=10&resilient.connect.maxDuration=20s";
    }

    private static long sum(ToLongFunction<RetryStats> stat) {
        return ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/").stream().mapToLong(g -> stat.applyAsLong(g.stats())).sum();
    }

    /** The run, its checker verdict, and how often the driver reconnected and replayed during it. */
    private record Outcome(LedgerWorkload.Result result, LedgerChecker.Report report, long reconnects, long replays) {
        @Override
        public String toString() {
            String errors = result.failures().values().stream().limit(3).map(f -> "\n  " + f.sqlState() + ": " + f.message()).reduce("", String::concat);
            return result + "\n" + report + "\ndriver: " + reconnects + " reconnects, " + replays + " replays" + errors;
        }
    }

    private static Outcome runUnderFaults(int clients, Duration duration, double readShare, long seed) throws Exception {
        long reconnectsBefore = sum(RetryStats::reconnects);
        long replaysBefore = sum(RetryStats::replays);
        // The last fault a little before the end, so the clients go through it before they stop.
        FaultSchedule faults = FaultSchedule.inTurn(FAULT_EVERY, duration.minusMillis(1500), IN_TURN);
        // Many accounts: a client that reconnects late after a restart finds few of its rows changed by the
        // clients that came back first, so most replays go through, which is where stale parameters do damage.
        LedgerWorkload workload = LedgerWorkload.builder(url()).accounts(500).clients(clients).readShare(readShare)
                .duration(duration).seed(seed).reopenClosedConnections(false).build();
        LedgerWorkload.Result result;
        try (LedgerRun run = workload.start()) {
            faults.strike(System.nanoTime(), pg, null);
            result = run.awaitResult();
        }
        LedgerChecker.Report report;
        try (Connection c = pg.connect()) {
            report = LedgerChecker.check(c, result);
        }
        Outcome outcome = new Outcome(result, report, sum(RetryStats::reconnects) - reconnectsBefore, sum(RetryStats::replays) - replaysBefore);
        System.out.println(faults.size() + " faults " + faults + "\n" + outcome);
        return outcome;
    }

    /**
     * The failures the application saw, except those with one of {@code allowed} SQLStates and a
     * COMMIT whose outcome the driver could not know (08007): a crash can take the reply and the
     * server's memory of the transaction id, and then DESIGN rule 7 asks for 08007, not a guess (the
     * checker lets such a transfer be either way).
     */
    static List<String> errorsBut(LedgerWorkload.Result result, String... allowed) {
        List<String> allowedStates = List.of(allowed);
        return result.failures().values().stream()
                .filter(f -> !allowedStates.contains(f.sqlState()) && !(f.atCommit() && f.outcomeUnknown()))
                .map(f -> f.sqlState() + ": " + f.message())
                .toList();
    }

    @Test
    void fourClientsKeepEveryCentAndSeeOnlyDivergence() throws Exception {
        Outcome o = runUnderFaults(4, Duration.ofSeconds(30), 0.1, 13);

        assertTrue(o.report().ok(), o::toString);
        assertEquals(List.of(), errorsBut(o.result(), "40001"), () -> "only a diverged replay may reach the app: " + o);
        assertEquals(Map.of(), o.result().readFailuresBySqlState(), o::toString);
        assertEquals(List.of(), o.result().hungThreads(), o::toString);
        assertTrue(o.result().committed() > 0, o::toString);
        // The faults really hit: connections were replaced and open transactions replayed.
        assertTrue(o.reconnects() > 0, o::toString);
        assertTrue(o.replays() > 0, o::toString);
    }

    @Test
    void aSingleClientSeesNoErrorAtAll() throws Exception {
        // No other writer: every replay reads what the first run read, so nothing may diverge.
        Outcome o = runUnderFaults(1, Duration.ofSeconds(18), 0.1, 14);

        assertTrue(o.report().ok(), o::toString);
        assertEquals(List.of(), errorsBut(o.result()), () -> "no error may reach the app: " + o);
        assertEquals(Map.of(), o.result().readFailuresBySqlState(), o::toString);
        assertEquals(List.of(), o.result().hungThreads(), o::toString);
        assertTrue(o.result().committed() > 0, o::toString);
        assertTrue(o.replays() > 0, o::toString);
    }
}
