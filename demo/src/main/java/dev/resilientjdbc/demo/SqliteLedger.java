package dev.resilientjdbc.demo;

import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bank ledger on one SQLite file with sqlite-jdbc's busy wait off: concurrent transfers meet as
 * real SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT. The checker then looks for lost or duplicated commits.
 * Each side resets the ledger tables (creating them if absent) before it runs.
 */
final class SqliteLedger {
    static final String WORKLOAD = "SQLite ledger";
    private final int clients;
    private final Duration duration;

    SqliteLedger(int clients, Duration duration) {
        this.clients = clients;
        this.duration = duration;
    }

    Report run(String side, String rawUrl, boolean resilient) throws Exception {
        String url = resilient ? DemoMain.resilient(rawUrl) : rawUrl;
        Recovery before = resilient ? Recovery.snapshot(url) : null;
        LedgerWorkload.Result result;
        List<long[]> samples;
        try (LedgerRun run = LedgerWorkload.builder(url).accounts(20).clients(clients).readShare(0.2)
                .duration(duration).seed(2026).build().start();
             ProgressSampler sampler = new ProgressSampler("sqlite-ledger-sampler-" + side, System.nanoTime(), run::committedSoFar,
                     run::errorsSoFar)) {
            result = run.awaitResult();
            samples = sampler.samples();
        }
        LedgerChecker.Report report;
        try (Connection c = DriverManager.getConnection(rawUrl)) {
            report = LedgerChecker.check(c, result);
        }
        Map<String, Long> errors = new TreeMap<>();
        // sqlite-jdbc reports no SQLState: name failures by the result code in their message.
        result.failures().values().forEach(f -> errors.merge(tag(f.sqlState(), f.message(), 0), 1L, Long::sum));
        result.readFailuresBySqlState().forEach((k, v) -> errors.merge("read " + k, v, Long::sum));
        long lost = report.violations(LedgerChecker.Kind.ACKNOWLEDGED_MISSING).size();
        long duplicated = report.violations(LedgerChecker.Kind.DUPLICATED).size()
                + report.violations(LedgerChecker.Kind.FAILED_BUT_PRESENT).size();
        String check = report.ok() ? "" : report.violations().size() + " violations, first: " + report.violations().get(0);
        return new Report(WORKLOAD, side, resilient ? "jdbc:resilient: URL" : "plain driver", result.committed(),
                result.failed() + result.readsFailed(), errors, lost, duplicated, report.ok(), check, result.elapsed().toMillis())
                .timing(result.transferLatency(), result.longestPause().toMillis())
                .recovery(resilient ? Recovery.snapshot(url).minus(before) : null)
                .timeline(samples);
    }

    /** The SQLState, else the result code sqlite-jdbc puts in brackets at the start of its message, else the vendor code. */
    static String tag(String state, String message, int errorCode) {
        if (state != null) {
            return state;
        }
        if (message != null && message.startsWith("[") && message.indexOf(']') > 0) {
            return message.substring(1, message.indexOf(']'));
        }
        return errorCode != 0 ? "code " + errorCode : "no SQLState";
    }
}
