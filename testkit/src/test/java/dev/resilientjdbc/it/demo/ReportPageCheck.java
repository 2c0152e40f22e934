package dev.resilientjdbc.it.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the HTML report must show, checked against the run's own figures in the JSON report written
 * beside it: a headline with the errors of each side (and "landed once" only when every resilient
 * check passed), one chart per workload holding both sides on one y-scale, error marks that add up
 * to the errors counted, a line per fault struck, and the full table.
 */
final class ReportPageCheck {
    private static final Pattern SECTION = Pattern.compile("<section class=\"workload\" data-workload=\"([^\"]*)\">(.*?)</section>", Pattern.DOTALL);
    private static final Pattern CHART = Pattern.compile("<svg class=\"chart\"[^>]* data-ymax=\"([0-9.]+)\" data-end-ms=\"(\\d+)\""
            + " data-plot=\"(\\d+) (\\d+) (\\d+) (\\d+)\"");
    private static final Pattern SERIES = Pattern.compile("<polyline class=\"series\" data-side=\"(\\w+)\"[^>]* points=\"([^\"]*)\"");
    private static final Pattern ERRORS = Pattern.compile("<g class=\"errors\" data-side=\"(\\w+)\" data-total=\"(\\d+)\">(.*?)</g>", Pattern.DOTALL);
    private static final Pattern MARK = Pattern.compile("<rect class=\"err\" data-count=\"(\\d+)\" data-from-ms=\"(\\d+)\" data-to-ms=\"(\\d+)\"");
    private static final Pattern FAULT = Pattern.compile("<line class=\"fault\" data-side=\"(\\w+)\" data-ms=\"(\\d+)\"");
    private static final Pattern HEADLINE = Pattern.compile("<p class=\"headline[^\"]*\" data-raw-errors=\"(\\d+)\" data-resilient-errors=\"(\\d+)\""
            + " data-landed-once=\"(true|false)\">([^<]*)</p>");

    private ReportPageCheck() {}

    /** Checks {@code resilient-demo-report.html} in {@code dir} against {@code resilient-demo-report.json} there; the page's text. */
    static String assertTellsTheRun(Path dir) throws Exception {
        String html = Files.readString(dir.resolve("resilient-demo-report.html"));
        List<Map<String, Object>> runs = ReportJson.runs(dir);
        String outside = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assertFalse(outside.contains("http://") || outside.contains("https://"), "self-contained: no address outside the page");
        assertFalse(html.contains("<script src") || html.contains("<link "), "self-contained: nothing loaded from elsewhere");
        headline(html, runs);
        Set<String> workloads = new LinkedHashSet<>();
        runs.forEach(r -> workloads.add((String) r.get("workload")));
        Matcher section = SECTION.matcher(html);
        List<String> charted = new ArrayList<>();
        while (section.find()) {
            String workload = section.group(1);
            charted.add(workload);
            chart(workload, section.group(2), runs.stream().filter(r -> r.get("workload").equals(workload)).toList());
        }
        assertEquals(List.copyOf(workloads), charted, "one chart per workload, in the order they ran");
        int table = html.indexOf("<table>");
        assertTrue(table > html.indexOf("</section>"), "the table of every figure follows the charts");
        for (Map<String, Object> r : runs) {
            String row = "<tr><td>" + r.get("workload") + "</td><td>" + r.get("side") + "</td><td>" + r.get("via") + "</td>"
                    + cell(r.get("succeeded")) + cell(r.get("errors"));
            assertTrue(html.indexOf(row, table) > 0, "the table keeps the row " + row);
        }
        return html;
    }

    private static void headline(String html, List<Map<String, Object>> runs) {
        Matcher m = HEADLINE.matcher(html);
        assertTrue(m.find(), "no headline in the report");
        assertTrue(m.start() < html.indexOf("<section"), "the headline comes before the charts");
        long raw = sum(runs, "raw", "errors");
        long resilient = sum(runs, "resilient", "errors");
        boolean landedOnce = runs.stream().filter(r -> r.get("side").equals("resilient"))
                .allMatch(r -> Boolean.TRUE.equals(r.get("consistent")) && num(r, "lost") == 0 && num(r, "duplicated") == 0);
        assertEquals(raw, Long.parseLong(m.group(1)), "raw errors in the headline");
        assertEquals(resilient, Long.parseLong(m.group(2)), "resilient errors in the headline");
        assertEquals(landedOnce, Boolean.parseBoolean(m.group(3)));
        String text = m.group(4);
        assertTrue(text.startsWith("raw: " + String.format(Locale.ROOT, "%,d", raw) + " errors reached the application; resilient-jdbc: "
                + String.format(Locale.ROOT, "%,d", resilient) + ", "), text);
        assertEquals(landedOnce, text.endsWith(", every acknowledged write landed once"), text);
        assertFalse(m.find(), "one headline");
    }

    private static void chart(String workload, String section, List<Map<String, Object>> sides) {
        Matcher c = CHART.matcher(section);
        assertTrue(c.find(), workload + ": no chart");
        assertFalse(c.find(), workload + ": one chart, not one per side");
        c.reset().find();
        double yMax = Double.parseDouble(c.group(1));
        long endMs = Long.parseLong(c.group(2));
        double left = Double.parseDouble(c.group(3));
        double top = Double.parseDouble(c.group(4));
        double width = Double.parseDouble(c.group(5));
        double height = Double.parseDouble(c.group(6));
        assertEquals(List.of("raw", "resilient"), sides.stream().map(r -> r.get("side")).toList(), workload);
        Matcher s = SERIES.matcher(section);
        int series = 0;
        for (Map<String, Object> side : sides) {
            assertTrue(s.find(), workload + ": no series for " + side.get("side"));
            series++;
            assertEquals(side.get("side"), s.group(1));
            // Read back through the chart's one y-scale, each series' area is what that side committed: both are drawn to it.
            double committed = 0;
            double peak = 0;
            String[] pts = s.group(2).trim().split(" ");
            assertEquals(0, pts.length % 2, "steps of two points");
            for (int i = 0; i < pts.length; i += 2) {
                double[] a = point(pts[i]);
                double[] b = point(pts[i + 1]);
                assertEquals(a[1], b[1], 1e-9, "a step is level");
                double rate = (top + height - a[1]) / height * yMax;
                assertTrue(rate >= -0.01 && rate <= yMax * 1.0001, workload + ": outside the axis: " + rate + " of " + yMax);
                peak = Math.max(peak, rate);
                committed += rate * (b[0] - a[0]) / width * endMs / 1000.0;
            }
            long expected = num(side, "succeeded");
            assertEquals(expected, committed, 2 + expected * 0.02, workload + "/" + side.get("side") + ": the area under the series on the"
                    + " chart's scale is what it committed");
            assertTrue(peak > 0 || expected == 0, workload + "/" + side.get("side") + ": a flat line");
            assertTrue(left >= 0 && top >= 0, section);
        }
        assertFalse(s.find(), workload + ": one series per side");
        assertEquals(2, series);
        errors(workload, section, sides, endMs);
        Matcher f = FAULT.matcher(section);
        List<String> faults = new ArrayList<>();
        while (f.find()) {
            faults.add(f.group(1) + "@" + f.group(2));
        }
        List<String> struck = new ArrayList<>();
        for (Map<String, Object> side : sides) {
            for (Object fault : (List<?>) side.get("faults")) {
                struck.add(side.get("side") + "@" + ((Map<?, ?>) fault).get("ms"));
            }
        }
        assertEquals(struck, faults, workload + ": a line per fault struck, where it struck");
        faultFree(workload, section, sides);
    }

    /** Under faults, the section says both sides' throughput before the first fault, as the run's JSON has it. */
    private static void faultFree(String workload, String section, List<Map<String, Object>> sides) {
        Object raw = sides.get(0).get("faultFreePerSecond");
        Object ours = sides.get(1).get("faultFreePerSecond");
        if (raw == null || ours == null) {
            assertFalse(section.contains("class=\"faultfree\""), workload + ": no fault-free figure without one on each side");
            return;
        }
        double r = ((Number) raw).doubleValue();
        double o = ((Number) ours).doubleValue();
        String line = String.format(Locale.ROOT, "<p class=\"faultfree\">%s before the first fault: raw %.0f tx/s, resilient %.0f tx/s,"
                + " ratio %.2f</p>", workload, r, o, o / r);
        assertTrue(section.contains(line), workload + ": expected " + line + " in " + section);
    }

    private static void errors(String workload, String section, List<Map<String, Object>> sides, long endMs) {
        Matcher g = ERRORS.matcher(section);
        for (Map<String, Object> side : sides) {
            assertTrue(g.find(), workload + ": no error lane for " + side.get("side"));
            assertEquals(side.get("side"), g.group(1));
            long counted = num(side, "errors");
            assertEquals(counted, Long.parseLong(g.group(2)), workload + "/" + side.get("side") + ": the lane's total");
            Matcher mark = MARK.matcher(g.group(3));
            long marked = 0;
            int marks = 0;
            long lastTo = 0;
            while (mark.find()) {
                long n = Long.parseLong(mark.group(1));
                long from = Long.parseLong(mark.group(2));
                long to = Long.parseLong(mark.group(3));
                assertTrue(n > 0 && from >= lastTo && to >= from && to <= endMs, "a mark in time order within the run: " + mark.group());
                marked += n;
                marks++;
                lastTo = to;
            }
            assertEquals(counted, marked, workload + "/" + side.get("side") + ": the error marks add up to the errors counted");
            assertEquals(counted > 0, marks > 0, workload + "/" + side.get("side") + ": " + marks + " marks for " + counted + " errors");
        }
        assertFalse(g.find(), workload + ": one error lane per side");
    }

    private static double[] point(String xy) {
        String[] p = xy.split(",");
        return new double[]{Double.parseDouble(p[0]), Double.parseDouble(p[1])};
    }

    private static String cell(Object value) {
        return "<td class=\"n\">" + value + "</td>";
    }

    private static long sum(List<Map<String, Object>> runs, String side, String key) {
        return runs.stream().filter(r -> r.get("side").equals(side)).mapToLong(r -> num(r, key)).sum();
    }

    private static long num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).longValue();
    }
}
