package dev.resilientjdbc.testkit.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The demo's results as JSON (for tools) and as one self-contained HTML page (for people): the
 * comparison table and, for workloads that have one, a timeline of transactions per second on each
 * side with the faults marked.
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
                    .append(",\"perSecond\":").append(num(r.perSecond())).append(",\"p50Ms\":").append(num(r.p50Ms))
                    .append(",\"p99Ms\":").append(num(r.p99Ms)).append(",\"longestPauseMs\":").append(r.longestPauseMs)
                    .append(",\"recovery\":");
            if (r.recovery == null) {
                sb.append("null");
            } else {
                sb.append("{\"retries\":").append(r.recovery.retries()).append(",\"reconnects\":").append(r.recovery.reconnects())
                        .append(",\"replays\":").append(r.recovery.replays()).append('}');
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

    static String html(Map<String, String> settings, List<Report> reports) {
        StringBuilder sb = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>resilient-jdbc demo</title><style>body{font:14px system-ui,sans-serif;margin:24px}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}th{background:#eee}"
                + "td.n{text-align:right}.ok{color:#2e7d32}.bad{color:#c62828}</style></head><body><h1>resilient-jdbc demo</h1><p>");
        settings.forEach((k, v) -> sb.append("<b>").append(h(k)).append("</b>: ").append(h(v)).append(" &nbsp; "));
        sb.append("</p><table><tr><th>workload</th><th>side</th><th>via</th><th>committed</th><th>errors</th>"
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
        for (Report r : reports) {
            if (r.timeline.size() > 1) {
                sb.append("<h2>").append(h(r.workload + ", " + r.side)).append(": transactions per second</h2>").append(chart(r));
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    /** An inline SVG: committed transactions per second over time, red lines where faults struck. */
    private static String chart(Report r) {
        int w = 900;
        int hgt = 220;
        long end = r.timeline.get(r.timeline.size() - 1)[0];
        double maxRate = 1;
        double[] rates = new double[r.timeline.size()];
        for (int i = 1; i < r.timeline.size(); i++) {
            long[] a = r.timeline.get(i - 1);
            long[] b = r.timeline.get(i);
            rates[i] = (b[1] - a[1]) * 1000.0 / Math.max(1, b[0] - a[0]);
            maxRate = Math.max(maxRate, rates[i]);
        }
        StringBuilder sb = new StringBuilder("<svg width=\"" + w + "\" height=\"" + (hgt + 30) + "\" style=\"background:#fafafa\">");
        StringBuilder pts = new StringBuilder();
        for (int i = 1; i < r.timeline.size(); i++) {
            double x = 40 + (w - 60) * r.timeline.get(i)[0] / (double) Math.max(1, end);
            double y = 10 + hgt - 20 - (hgt - 20) * rates[i] / maxRate;
            pts.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        sb.append("<polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"").append(pts).append("\"/>");
        for (Object[] f : r.faults) {
            double x = 40 + (w - 60) * ((Number) f[0]).longValue() / (double) Math.max(1, end);
            sb.append(String.format(java.util.Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"10\" y2=\"%d\" stroke=\"#c62828\"/>", x, x, hgt - 10))
                    .append(String.format(java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#c62828\">%s</text>",
                            x + 3, hgt + 5, h(String.valueOf(f[1]))));
        }
        sb.append(String.format(java.util.Locale.ROOT, "<text x=\"2\" y=\"20\" font-size=\"11\">%.0f/s</text>", maxRate))
                .append(String.format(java.util.Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.1f s</text>", w - 50, hgt + 25, end / 1000.0));
        return sb.append("</svg>").toString();
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

    private static String h(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
