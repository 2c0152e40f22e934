package dev.resilientjdbc.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's results as JSON (for tools) and as one self-contained HTML page (for people): a
 * headline with the run's figures, one chart per workload with both sides on the same axes (faults and
 * errors marked, see {@link ReportChart}), and the comparison table.
 */
final class ReportFiles {
    private ReportFiles() {}

    /** {@code settings}: what the demo was run with (never a password), shown at the top of both files. */
    static void write(Path dir, Map<String, String> settings, List<Report> reports) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("resilient-demo-report.json"), json(settings, reports));
        Files.writeString(dir.resolve("resilient-demo-report.html"), html(settings, reports));
    }

    static String json(Map<String, String> settings, List<Report> reports) {
        StringBuilder sb = new StringBuilder("{\"settings\":{");
        int n = 0;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            sb.append(n++ == 0 ? "" : ",").append(q(e.getKey())).append(':').append(q(e.getValue()));
        }
        sb.append("},\"runs\":[");
        for (int i = 0; i < reports.size(); i++) {
            Report r = reports.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"workload\":").append(q(r.workload)).append(",\"side\":").append(q(r.side))
                    .append(",\"via\":").append(q(r.via))
                    .append(",\"succeeded\":").append(r.succeeded).append(",\"errors\":").append(r.errors)
                    .append(",\"errorsByState\":{");
            int k = 0;
            for (Map.Entry<String, Long> e : r.errorsByState.entrySet()) {
                sb.append(k++ == 0 ? "" : ",").append(q(e.getKey())).append(':').append(e.getValue());
            }
            sb.append("},\"lost\":").append(r.lost).append(",\"duplicated\":").append(r.duplicated)
                    .append(",\"consistent\":").append(r.consistent).append(",\"check\":").append(q(r.check))
                    .append(",\"elapsedMs\":").append(r.elapsedMs)
                    .append(",\"perSecond\":").append(num(r.perSecond()))
                    .append(",\"faultFreePerSecond\":").append(Double.isNaN(r.faultFreePerSecond()) ? "null" : num(r.faultFreePerSecond())).append(",\"p50Ms\":").append(num(r.p50Ms))
                    .append(interleaved(r))
                    .append(",\"p99Ms\":").append(num(r.p99Ms)).append(",\"longestPauseMs\":").append(r.longestPauseMs)
                    .append(",\"recovery\":");
            if (r.recovery == null) {
                sb.append("null");
            } else {
                sb.append("{\"retries\":").append(r.recovery.retries()).append(",\"reconnects\":").append(r.recovery.reconnects())
                        .append(",\"replays\":").append(r.recovery.replays()).append('}');
            }
            sb.append(",\"ha\":");
            if (r.ha == null) {
                sb.append("null");
            } else {
                sb.append("{\"steps\":[");
                for (int j = 0; j < r.ha.steps().size(); j++) {
                    HaFailover.Step st = r.ha.steps().get(j);
                    sb.append(j == 0 ? "" : ",").append("{\"fault\":").append(q(st.fault())).append(",\"leaderAgainMs\":")
                            .append(st.leaderAgainMs()).append(",\"writePauseMs\":").append(st.writePauseMs()).append('}');
                }
                sb.append("]}");
            }
            sb.append(",\"timeline\":[");
            for (int t = 0; t < r.timeline.size(); t++) {
                long[] p = r.timeline.get(t);
                sb.append(t == 0 ? "" : ",").append('[').append(p[0]).append(',').append(p[1]).append(',').append(p[2]).append(']');
            }
            sb.append("],\"faults\":[");
            for (int f = 0; f < r.faults.size(); f++) {
                sb.append(f == 0 ? "" : ",").append("{\"ms\":").append(r.faults.get(f)[0]).append(",\"name\":")
                        .append(q(String.valueOf(r.faults.get(f)[1]))).append('}');
            }
            sb.append("]}");
        }
        return sb.append("]}\n").toString();
    }

    /** The side's figures from the interleaved measurement; nulls when the workload had none. */
    private static String interleaved(Report r) {
        Interleaved.Result x = r.interleaved;
        if (x == null) {
            return ",\"interleavedPerSecond\":null,\"interleavedRatio\":null,\"interleavedSlices\":null,\"interleavedWindowMs\":null"
                    + ",\"interleavedWarmUpMs\":null,\"interleavedSlicePerSecond\":null";
        }
        StringBuilder sb = new StringBuilder(",\"interleavedPerSecond\":").append(num(x.perSecond(r.side)))
                .append(",\"interleavedRatio\":").append(Double.isNaN(x.ratio()) ? "null" : num(x.ratio()))
                .append(",\"interleavedSlices\":").append(x.slices(r.side))
                .append(",\"interleavedWindowMs\":").append(x.window().toMillis())
                .append(",\"interleavedWarmUpMs\":").append(x.warmUp().toMillis())
                .append(",\"interleavedSlicePerSecond\":[");
        int n = 0;
        for (Interleaved.Slice s : x.slices()) {
            if (s.side().equals(r.side)) {
                sb.append(n++ == 0 ? "" : ",").append(num(s.perSecond()));
            }
        }
        return sb.append(']').toString();
    }

    static String html(Map<String, String> settings, List<Report> reports) {
        Verdict verdict = Verdict.of(reports);
        StringBuilder sb = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>resilient-jdbc demo</title><style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1400px}"
                + "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:4px 8px}th{background:#eee}"
                + "td.n{text-align:right}.ok{color:#2e7d32}.bad{color:#c62828}"
                + ".headline{font-size:18px;font-weight:600;padding:10px 14px;border-left:6px solid #2e7d32;background:#f1f8e9}"
                + ".headline.bad{border-color:#c62828;background:#ffebee}.settings{color:#555}"
                + ".legend>span{display:inline-block;margin-right:22px}.sw{display:inline-block;width:22px;height:4px;margin:0 6px 3px 0;"
                + "vertical-align:middle}.fl{border-top:2px dashed #c62828;background:none!important;height:0}"
                + "svg.chart{max-width:100%;height:auto;display:block}</style></head><body><h1>resilient-jdbc demo</h1>");
        sb.append("<p class=\"headline").append(verdict.landedOnce() ? "" : " bad").append("\" data-raw-errors=\"").append(verdict.rawErrors())
                .append("\" data-resilient-errors=\"").append(verdict.resilientErrors()).append("\" data-landed-once=\"")
                .append(verdict.landedOnce()).append("\">").append(h(verdict.headline())).append("</p><p class=\"settings\">");
        settings.forEach((k, v) -> sb.append("<b>").append(h(k)).append("</b>: ").append(h(v)).append(" &nbsp; "));
        sb.append("</p>");
        Map<String, List<Report>> byWorkload = new LinkedHashMap<>();
        for (Report r : reports) {
            byWorkload.computeIfAbsent(r.workload, w -> new ArrayList<>()).add(r);
        }
        byWorkload.forEach((workload, sides) -> sb.append("<section class=\"workload\" data-workload=\"").append(h(workload)).append("\"><h2>")
                .append(h(workload)).append(": committed per second, raw beside resilient</h2>").append(legend(sides))
                .append(ReportChart.svg(sides)).append(faultFree(sides)).append(ha(sides)).append("</section>"));
        sb.append("<h2>All figures</h2><table><tr><th>workload</th><th>side</th><th>via</th><th>committed</th><th>errors</th>"
                + "<th>errors by SQLState/code</th><th>lost</th><th>dup</th><th>data check</th><th>tx/s</th><th>p50 ms</th>"
                + "<th>p99 ms</th><th>longest pause ms</th><th>retries</th><th>reconnects</th><th>replays</th></tr>");
        for (Report r : reports) {
            Recovery rec = r.recovery;
            sb.append("<tr><td>").append(h(r.workload)).append("</td><td>").append(h(r.side)).append("</td><td>").append(h(r.via))
                    .append("</td>").append(n(r.succeeded)).append(n(r.errors)).append("<td>").append(h(r.errorsText())).append("</td>")
                    .append(n(r.lost)).append(n(r.duplicated))
                    .append("<td class=\"").append(r.consistent ? "ok" : "bad").append("\">").append(r.consistent ? "ok" : "FAILED")
                    .append(r.check.isEmpty() ? "" : ": " + h(r.check)).append("</td>")
                    .append(n(num(r.perSecond()))).append(n(num(r.p50Ms))).append(n(num(r.p99Ms))).append(n(r.longestPauseMs))
                    .append(n(rec == null ? "-" : rec.retries())).append(n(rec == null ? "-" : rec.reconnects()))
                    .append(n(rec == null ? "-" : rec.replays())).append("</tr>");
        }
        sb.append("</table>");
        return sb.append("</body></html>\n").toString();
    }

    /** The throughput before the first fault, both sides, when the workload ran under faults; and with the sides alternating. */
    private static String faultFree(List<Report> sides) {
        StringBuilder sb = new StringBuilder();
        for (String line : Report.faultFreeLines(sides)) {
            sb.append("<p class=\"faultfree\">").append(h(line)).append("</p>");
        }
        for (String line : Report.interleavedLines(sides, true)) {
            sb.append("<p class=\"interleaved\">").append(h(line)).append("</p>");
        }
        return sb.toString();
    }

    /**
     * The HA scenario's figures, when the workload is it: per side the errors by SQLState, the longest time without a
     * committed transfer, and the invariants the checker read on the new leader; once, the time until a leader again.
     */
    private static String ha(List<Report> sides) {
        List<Report> ha = sides.stream().filter(r -> r.ha != null).toList();
        if (ha.isEmpty()) {
            return "";
        }
        List<HaFailover.Step> steps = ha.get(0).ha.steps();
        StringBuilder sb = new StringBuilder("<div class=\"ha\"><p>Patroni, 3 members, synchronous mode.");
        for (HaFailover.Step st : steps) {
            sb.append(" <span class=\"ha-step\" data-fault=\"").append(h(st.fault())).append("\" data-leader-again-ms=\"")
                    .append(st.leaderAgainMs()).append("\">").append(h(st.fault())).append(": a leader again <b>").append(st.leaderAgainMs())
                    .append(" ms</b> after it.</span>");
        }
        sb.append("</p><table class=\"ha\"><tr><th>side</th><th>via</th><th>committed</th><th>errors</th><th>errors by SQLState</th>");
        for (HaFailover.Step st : steps) {
            sb.append("<th>writes paused ms: ").append(h(st.fault())).append("</th>");
        }
        sb.append("<th>invariants</th></tr>");
        for (Report r : ha) {
            sb.append("<tr class=\"ha-side\" data-side=\"").append(h(r.side)).append("\" data-errors=\"").append(r.errors)
                    .append("\" data-invariants=\"").append(r.consistent ? "ok" : "failed").append("\"><td>")
                    .append(h(r.side)).append("</td><td>").append(h(r.via)).append("</td>").append(n(r.succeeded)).append(n(r.errors))
                    .append("<td>").append(h(r.errorsText())).append("</td>");
            for (HaFailover.Step st : r.ha.steps()) {
                sb.append("<td class=\"n\" data-fault=\"").append(h(st.fault())).append("\" data-write-pause-ms=\"").append(st.writePauseMs())
                        .append("\">").append(st.writePauseMs()).append("</td>");
            }
            sb.append("<td class=\"").append(r.consistent ? "ok\">ok" : "bad\">FAILED").append(r.check.isEmpty() ? "" : ": " + h(r.check))
                    .append("</td></tr>");
        }
        return sb.append("</table></div>").toString();
    }

    /** Per side: its colour, how it connected, what it committed, the errors that reached the application, its data check. */
    private static String legend(List<Report> sides) {
        StringBuilder sb = new StringBuilder("<p class=\"legend\">");
        boolean faults = false;
        for (Report r : sides) {
            faults |= !r.faults.isEmpty();
            sb.append("<span data-side=\"").append(h(r.side)).append("\"><i class=\"sw\" style=\"background:").append(ReportChart.colour(r))
                    .append("\"></i><b>").append(h(r.side)).append("</b> (").append(h(r.via)).append("): ")
                    .append(Verdict.count(r.succeeded)).append(" committed, <b>").append(Verdict.count(r.errors)).append(" error")
                    .append(r.errors == 1 ? "" : "s").append("</b> reached the application, data check <span class=\"")
                    .append(r.consistent ? "ok\">ok" : "bad\">FAILED").append("</span></span>");
        }
        if (faults) {
            sb.append("<span><i class=\"sw fl\"></i>fault (raw side dashed, resilient side solid)</span>");
        }
        return sb.append("</p>").toString();
    }

    private static String n(Object value) {
        return "<td class=\"n\">" + h(String.valueOf(value)) + "</td>";
    }

    private static String num(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    private static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    static String h(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
