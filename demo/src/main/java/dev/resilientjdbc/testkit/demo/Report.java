package dev.resilientjdbc.testkit.demo;

import dev.resilientjdbc.testkit.ledger.LatencySummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What one side of one workload saw, and the two tables that compare the sides. */
final class Report {
    final String workload;
    final String side;
    /** How the side reached the database: {@code plain driver}, {@code jdbc:resilient: URL} or {@code -javaagent}. */
    final String via;
    final long succeeded;
    final long errors;
    final Map<String, Long> errorsByState;
    /** Acknowledged writes the database does not have. */
    final long lost;
    /** Writes the database has more than once, or has although the application was told they failed. */
    final long duplicated;
    final boolean consistent;
    final String check;
    final long elapsedMs;
    double p50Ms;
    double p99Ms;
    long longestPauseMs;
    /** What resilient-jdbc did to hide failures; null on the raw side. */
    Recovery recovery;
    /** Samples of (ms since start, committed so far, failed so far); empty for workloads without a timeline. */
    final List<long[]> timeline = new ArrayList<>();
    /** Faults struck: (ms since start, name). */
    final List<Object[]> faults = new ArrayList<>();

    Report(String workload, String side, String via, long succeeded, long errors, Map<String, Long> errorsByState,
           long lost, long duplicated, boolean consistent, String check, long elapsedMs) {
        this.workload = workload;
        this.side = side;
        this.via = via;
        this.succeeded = succeeded;
        this.errors = errors;
        this.errorsByState = new TreeMap<>(errorsByState);
        this.lost = lost;
        this.duplicated = duplicated;
        this.consistent = consistent;
        this.check = check;
        this.elapsedMs = elapsedMs;
    }

    Report timing(LatencySummary latency, long longestPauseMs) {
        this.p50Ms = latency.p50().toNanos() / 1e6;
        this.p99Ms = latency.p99().toNanos() / 1e6;
        this.longestPauseMs = longestPauseMs;
        return this;
    }

    Report recovery(Recovery recovery) {
        this.recovery = recovery;
        return this;
    }

    double perSecond() {
        return elapsedMs > 0 ? succeeded * 1000.0 / elapsedMs : 0;
    }

    String errorsText() {
        if (errorsByState.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        errorsByState.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    // Two tables, so each fits in 120 columns; a long cell wraps within its column.
    private static final int[] OUTCOME = {20, 9, 9, 8, 28, 5, 5, 28};
    private static final boolean[] OUTCOME_LEFT = {true, true, false, false, true, false, false, true};
    private static final int[] TIMING = {20, 9, 9, 8, 8, 13, 8, 10, 8};
    private static final boolean[] TIMING_LEFT = {true, true, false, false, false, false, false, false, false};

    static String table(List<Report> reports) {
        StringBuilder sb = new StringBuilder();
        sb.append("What the application saw\n");
        row(sb, OUTCOME, OUTCOME_LEFT, "workload", "side", "committed", "errors", "errors by SQLState/code", "lost", "dup", "data check");
        sb.append("-".repeat(width(OUTCOME))).append('\n');
        for (Report r : reports) {
            row(sb, OUTCOME, OUTCOME_LEFT, r.workload, r.side, String.valueOf(r.succeeded), String.valueOf(r.errors), r.errorsText(),
                    String.valueOf(r.lost), String.valueOf(r.duplicated), (r.consistent ? "ok" : "FAILED") + (r.check.isEmpty() ? "" : ": " + r.check));
        }
        sb.append('\n').append("Throughput, latency of successful operations, and what resilient-jdbc did\n");
        row(sb, TIMING, TIMING_LEFT, "workload", "side", "tx/s", "p50 ms", "p99 ms", "longest pause", "retries", "reconnects", "replays");
        sb.append("-".repeat(width(TIMING))).append('\n');
        for (Report r : reports) {
            Recovery rec = r.recovery;
            row(sb, TIMING, TIMING_LEFT, r.workload, r.side, String.format(Locale.ROOT, "%.0f", r.perSecond()), ms(r.p50Ms), ms(r.p99Ms),
                    r.longestPauseMs + " ms", rec == null ? "-" : String.valueOf(rec.retries()),
                    rec == null ? "-" : String.valueOf(rec.reconnects()), rec == null ? "-" : String.valueOf(rec.replays()));
        }
        return sb.toString();
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.1f" : "%.0f", v);
    }

    private static int width(int[] widths) {
        int w = widths.length - 1;
        for (int x : widths) {
            w += x;
        }
        return w;
    }

    private static void row(StringBuilder sb, int[] widths, boolean[] left, String... cells) {
        List<List<String>> wrapped = new ArrayList<>();
        int lines = 1;
        for (int i = 0; i < cells.length; i++) {
            List<String> w = wrap(cells[i], widths[i]);
            wrapped.add(w);
            lines = Math.max(lines, w.size());
        }
        for (int l = 0; l < lines; l++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String part = l < wrapped.get(i).size() ? wrapped.get(i).get(l) : "";
                String pad = " ".repeat(Math.max(0, widths[i] - part.length()));
                line.append(i == 0 ? "" : " ").append(left[i] ? part + pad : pad + part);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** Breaks after ", " where it can (so "read 08006=1" stays whole), else at a space, else hard at the width. */
    static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        String rest = text;
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(", ", width - 1);
            int skip = 2;
            if (cut <= 0) {
                cut = rest.lastIndexOf(' ', width);
                skip = 1;
            }
            if (cut <= 0) {
                out.add(rest.substring(0, width));
                rest = rest.substring(width);
            } else {
                out.add(rest.substring(0, cut + (skip == 2 ? 1 : 0)).stripTrailing());
                rest = rest.substring(cut + skip);
            }
        }
        out.add(rest);
        return out;
    }
}
