package dev.resilientjdbc.demo;

import dev.resilientjdbc.demo.ledger.LatencySummary;

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
    /** The HA scenario's own figures ({@code --ha}); null for every other workload. */
    HaFailover.Figures ha;
    /**
     * Samples of (ms since start, committed so far, errors so far), closed by the run's own totals (see
     * {@link #timeline(List)}); empty for a report made without one.
     */
    final List<long[]> timeline = new ArrayList<>();
    /** Faults struck: (ms since start, name). */
    final List<Object[]> faults = new ArrayList<>();
    /** The workload's fault-free measurement with the sides taking turns, shared by both sides; null when not measured. */
    Interleaved.Result interleaved;

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

    /**
     * The progress samples taken while the run went on, then one at its end with its final figures, so
     * the timeline's last point is exactly what the tables say (errors counted after the last sample
     * land in that last interval).
     */
    Report timeline(List<long[]> samples) {
        long lastMs = 0;
        for (long[] s : samples) {
            if (s[0] >= lastMs && s[1] <= succeeded && s[2] <= errors) {
                timeline.add(s.clone());
                lastMs = s[0];
            }
        }
        timeline.add(new long[]{Math.max(lastMs + 1, elapsedMs), succeeded, errors});
        return this;
    }

    Report ha(HaFailover.Figures figures) {
        this.ha = figures;
        return this;
    }

    Report interleaved(Interleaved.Result result) {
        this.interleaved = result;
        return this;
    }

    Report recovery(Recovery recovery) {
        this.recovery = recovery;
        return this;
    }

    double perSecond() {
        return elapsedMs > 0 ? succeeded * 1000.0 / elapsedMs : 0;
    }

    /**
     * Committed per second before the first fault struck: from the first sample (connections opening and
     * code warming up fall before it) to the last sample taken before the fault. NaN for a run without
     * faults or with fewer than two samples before the first one.
     */
    double faultFreePerSecond() {
        if (faults.isEmpty()) {
            return Double.NaN;
        }
        long firstFault = ((Number) faults.get(0)[0]).longValue();
        long[] from = null;
        long[] to = null;
        for (long[] s : timeline) {
            if (s[0] > firstFault) {
                break;
            }
            if (from == null) {
                from = s;
            } else {
                to = s;
            }
        }
        return to == null ? Double.NaN : (to[1] - from[1]) * 1000.0 / (to[0] - from[0]);
    }

    /**
     * Per workload run under faults, both sides' throughput before the first fault and their ratio: what
     * resilient-jdbc costs a healthy application, apart from what it does during an outage.
     */
    static List<String> faultFreeLines(List<Report> reports) {
        List<String> lines = new ArrayList<>();
        for (Report raw : reports) {
            if (!raw.side.equals("raw") || Double.isNaN(raw.faultFreePerSecond())) {
                continue;
            }
            for (Report ours : reports) {
                if (ours.workload.equals(raw.workload) && !ours.side.equals("raw") && !Double.isNaN(ours.faultFreePerSecond())) {
                    lines.add(String.format(Locale.ROOT, "%s before the first fault: raw %.0f tx/s, %s %.0f tx/s, ratio %.2f",
                            raw.workload, raw.faultFreePerSecond(), ours.side, ours.faultFreePerSecond(),
                            ours.faultFreePerSecond() / raw.faultFreePerSecond()));
                }
            }
        }
        return lines;
    }

    /** Per workload measured with the sides taking turns, its figures (and, with {@code how}, how they were measured), once. */
    static List<String> interleavedLines(List<Report> reports, boolean how) {
        List<String> lines = new ArrayList<>();
        List<Interleaved.Result> seen = new ArrayList<>();
        for (Report r : reports) {
            if (r.interleaved != null && seen.stream().noneMatch(x -> x == r.interleaved)) {
                seen.add(r.interleaved);
                lines.add(r.workload + " " + r.interleaved.line() + (how ? " (" + r.interleaved.how() + ")" : ""));
            }
        }
        return lines;
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
        for (String line : faultFreeLines(reports)) {
            sb.append(line).append('\n');
        }
        for (String line : interleavedLines(reports, false)) {
            sb.append(line).append('\n');
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
