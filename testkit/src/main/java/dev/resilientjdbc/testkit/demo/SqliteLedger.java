package dev.resilientjdbc.testkit.demo;

import dev.resilientjdbc.testkit.ledger.LedgerChecker;
import dev.resilientjdbc.testkit.ledger.LedgerWorkload;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bank ledger on one SQLite file with sqlite-jdbc's busy wait off: concurrent transfers meet as
 * real SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT. The checker then looks for lost or duplicated commits.
 */
final class SqliteLedger {
    private final int clients;
    private final Duration duration;

    SqliteLedger(int clients, Duration duration) {
        this.clients = clients;
        this.duration = duration;
    }

    Report run(String side, String rawUrl, boolean resilient) throws Exception {
        String url = resilient ? rawUrl.replace("jdbc:", "jdbc:resilient:") : rawUrl;
        LedgerWorkload.Result result = LedgerWorkload.builder(url).accounts(20).clients(clients).readShare(0.2)
                .duration(duration).seed(2026).build().run();
        LedgerChecker.Report report;
        try (Connection c = DriverManager.getConnection(rawUrl)) {
            report = LedgerChecker.check(c, result);
        }
        Map<String, Long> errors = new TreeMap<>();
        // sqlite-jdbc reports no SQLState: name failures by the result code in their message.
        result.failures().values().forEach(f -> errors.merge(tag(f.sqlState(), f.message()), 1L, Long::sum));
        result.readFailuresBySqlState().forEach((k, v) -> errors.merge("read " + k, v, Long::sum));
        String check = (report.ok() ? "no lost or duplicated commit" : report.violations().size() + " violations")
                + ", p99 " + result.transferLatency().p99().toMillis() + " ms";
        return new Report("SQLite ledger", side, result.committed(), result.failed() + result.readsFailed(), errors, report.ok(),
                check, result.elapsed().toMillis());
    }

    private static String tag(String state, String message) {
        if (state != null) {
            return state;
        }
        if (message != null && message.startsWith("[") && message.indexOf(']') > 0) {
            return message.substring(1, message.indexOf(']'));
        }
        return "no SQLState";
    }
}
