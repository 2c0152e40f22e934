package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15: the bank ledger through {@code jdbc:resilient:} on a crash-safe PostgreSQL that is killed
 * (kill -9) and restarted every two seconds, so that COMMITs are lost with the server again and again
 * and transaction ids are handed out twice. After each run the database is checked: every acknowledged
 * transfer is there, none is there twice, balances equal the journal. A transfer whose COMMIT ended in
 * 08007 may be either way; nothing else may be. Without the commit marker and with it (the default),
 * where no COMMIT may end in 08007 at all.
 *
 * <p>CI runs one run per mode; {@code -Dledger.crashRuns=10} runs ten (about 3 minutes per mode), and
 * each run prints its figures: acknowledged, and lost COMMIT replies by outcome and evidence.
 */
@PgTest
@PgSettings(crashSafe = true)
class LedgerCrashRunsTest {
    private static final Duration FAULT_EVERY = Duration.ofSeconds(2);
    private static final int RUNS = Integer.getInteger("ledger.crashRuns", 1);
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    private static String url(boolean marker) {
        return "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database()
                + "?user=postgres&connectTimeout=5&socketTimeout=10&loginTimeout=10&resilient.connect.maxDuration=20s"
                + "&resilient.indoubt.marker=" + marker;
    }

    private static long sum(ToLongFunction<RetryStats> stat) {
        return ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/").stream().mapToLong(g -> stat.applyAsLong(g.stats())).sum();
    }

    private static long[] inDoubt() {
        RerunRules.InDoubtEvidence[] all = RerunRules.InDoubtEvidence.values();
        long[] v = new long[3 + all.length];
        v[0] = sum(RetryStats::inDoubtCommitted);
        v[1] = sum(RetryStats::inDoubtAborted);
        v[2] = sum(RetryStats::inDoubt);
        for (RerunRules.InDoubtEvidence e : all) {
            v[3 + e.ordinal()] = sum(s -> s.inDoubtEvidence(e.ordinal()));
        }
        return v;
    }

    @ParameterizedTest(name = "marker={0}")
    @ValueSource(booleans = {false, true})
    void crashRestartsEveryTwoSecondsLoseNoAcknowledgedTransfer(boolean marker) throws Exception {
        List<String> figures = new ArrayList<>();
        long lostCommitReplies = 0;
        for (int run = 1; run <= RUNS; run++) {
            long[] before = inDoubt();
            long reconnectsBefore = sum(RetryStats::reconnects);
            Duration duration = Duration.ofSeconds(12);
            FaultSchedule faults = FaultSchedule.inTurn(FAULT_EVERY, duration.minusMillis(1500), ServerFault.CRASH_RESTART);
            LedgerWorkload workload = LedgerWorkload.builder(url(marker)).accounts(200).clients(4).readShare(0.1)
                    .duration(duration).seed(1500 + run).reopenClosedConnections(false).build();
            LedgerWorkload.Result result;
            try (LedgerRun r = workload.start()) {
                faults.strike(System.nanoTime(), pg, null);
                result = r.awaitResult();
            }
            LedgerChecker.Report report;
            try (Connection c = pg.connect()) {
                report = LedgerChecker.check(c, result);
            }
            long[] after = inDoubt();
            long reconnects = sum(RetryStats::reconnects) - reconnectsBefore;
            StringBuilder line = new StringBuilder("marker=" + marker + " run " + run + ": " + faults.size() + " crash restarts, "
                    + result.acknowledged().size() + " acknowledged, " + reconnects
                    + " reconnects; lost COMMIT replies: committed " + (after[0] - before[0]) + ", aborted (replayed) "
                    + (after[1] - before[1]) + ", 08007 " + (after[2] - before[2]) + "; by evidence");
            for (RerunRules.InDoubtEvidence e : RerunRules.InDoubtEvidence.values()) {
                line.append(' ').append(e.metricName()).append('=').append(after[3 + e.ordinal()] - before[3 + e.ordinal()]);
            }
            figures.add(line.toString());
            System.out.println(line);
            final String context = line + "\n" + result + "\n" + report;
            lostCommitReplies += after[0] - before[0] + after[1] - before[1] + after[2] - before[2];
            assertTrue(report.ok(), context);
            if (marker) { // the default: the marker travels with every writing COMMIT and settles each lost reply
                assertEquals(0, after[2] - before[2], () -> "no 08007 with the commit marker: " + context);
            }
            assertEquals(List.of(), LedgerStatementReuseTest.errorsBut(result, "40001"), () -> "only 40001 and 08007 at COMMIT may reach the app: " + context);
            assertEquals(Map.of(), result.readFailuresBySqlState(), context);
            assertEquals(List.of(), result.hungThreads(), context);
            assertTrue(result.committed() > 0, context);
            assertTrue(faults.size() >= 4, context);
            assertTrue(reconnects > 0, () -> "the crashes hit the clients' connections: " + context);
        }
        System.out.println(String.join("\n", figures));
        if (RUNS >= 3) {
            assertTrue(lostCommitReplies > 0, "over " + RUNS + " runs no COMMIT reply was ever lost: the crashes missed COMMIT");
        }
    }
}
