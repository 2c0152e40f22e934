package dev.resilientjdbc.testkit.demo;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What one side of one workload saw. */
final class Report {
    final String workload;
    final String side;
    final long succeeded;
    final long errors;
    final Map<String, Long> errorsByState;
    final boolean consistent;
    final String check;
    final long elapsedMs;
    /** Samples of (ms since start, committed so far, failed so far); empty for workloads without a timeline. */
    final List<long[]> timeline = new java.util.ArrayList<>();
    /** Faults struck: (ms since start, name). */
    final List<Object[]> faults = new java.util.ArrayList<>();

    Report(String workload, String side, long succeeded, long errors, Map<String, Long> errorsByState,
           boolean consistent, String check, long elapsedMs) {
        this.workload = workload;
        this.side = side;
        this.succeeded = succeeded;
        this.errors = errors;
        this.errorsByState = new TreeMap<>(errorsByState);
        this.consistent = consistent;
        this.check = check;
        this.elapsedMs = elapsedMs;
    }

    static String table(List<Report> reports) {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-22s %-10s %10s %8s %-28s %-34s%n";
        sb.append(String.format(fmt, "workload", "side", "succeeded", "errors", "errors by SQLState/code", "data check"));
        sb.append("-".repeat(116)).append('\n');
        for (Report r : reports) {
            sb.append(String.format(fmt, r.workload, r.side, r.succeeded, r.errors,
                    r.errorsByState.isEmpty() ? "-" : r.errorsByState.toString(), (r.consistent ? "ok: " : "FAILED: ") + r.check));
        }
        return sb.toString();
    }
}
