package dev.resilientjdbc.demo;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One workload's chart as inline SVG: committed operations per second of the raw and the resilient
 * side on the same axes, the faults as vertical lines, and below the plot one lane per side with a
 * mark for every sampling interval in which errors reached the application (height by count, the
 * count in its tooltip) and the side's total at its end. Each side's time starts at its own start: the sides run one after the other.
 */
final class ReportChart {
    static final String RAW_COLOUR = "#ef6c00";
    static final String RESILIENT_COLOUR = "#1565c0";
    private static final String FAULT_COLOUR = "#c62828";
    private static final int WIDTH = 1040;
    private static final int LEFT = 104;
    private static final int RIGHT = 96;
    private static final int TOP = 46;
    /** About the width of one character of the 11 px labels, to keep fault names apart. */
    private static final double LABEL_CHAR_W = 6.2;
    private static final int PLOT_H = 220;
    private static final int AXIS_H = 26;
    private static final int LANE_H = 18;
    private static final int LANE_GAP = 4;
    private static final int PLOT_W = WIDTH - LEFT - RIGHT;
    /** Round tops for the rate axis, tight enough that the higher side's peak fills most of the plot; quarters stay round. */
    private static final double[] RATE_STEPS = {1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10};
    private static final double[] TIME_STEPS = {1, 2, 5, 10};
    /** A closing interval shorter than this is merged into the one before for the rate: a few ms make no rate. */
    private static final long SHORTEST_RATE_MS = 100;

    private ReportChart() {}

    /** The chart of one workload's sides (raw first, then resilient, as the demo ran them). */
    static String svg(List<Report> sides) {
        long endMs = 1;
        double maxRate = 0;
        long maxErrors = 1;
        Map<Report, List<double[]>> rates = new LinkedHashMap<>();
        for (Report r : sides) {
            List<double[]> steps = rates(r.timeline);
            rates.put(r, steps);
            for (double[] s : steps) {
                maxRate = Math.max(maxRate, s[2]);
            }
            long prev = 0;
            for (long[] p : r.timeline) {
                maxErrors = Math.max(maxErrors, p[2] - prev);
                prev = p[2];
                endMs = Math.max(endMs, p[0]);
            }
        }
        double yMax = niceCeiling(Math.max(1, maxRate), RATE_STEPS);
        int height = TOP + PLOT_H + AXIS_H + sides.size() * (LANE_H + LANE_GAP) + 6;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\""
                        + " height=\"%d\" data-ymax=\"%s\" data-end-ms=\"%d\" data-plot=\"%d %d %d %d\" font-size=\"11\">",
                WIDTH, height, WIDTH, height, num(yMax), endMs, LEFT, TOP, PLOT_W, PLOT_H));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>",
                LEFT, TOP, PLOT_W, PLOT_H));
        yAxis(sb, yMax);
        xAxis(sb, endMs);
        for (Map.Entry<Report, List<double[]>> e : rates.entrySet()) {
            series(sb, e.getKey(), e.getValue(), yMax, endMs);
        }
        faults(sb, sides, endMs);
        int laneTop = TOP + PLOT_H + AXIS_H;
        for (Report r : sides) {
            errorLane(sb, r, laneTop, endMs, maxErrors);
            laneTop += LANE_H + LANE_GAP;
        }
        return sb.append("</svg>").toString();
    }

    static String colour(Report r) {
        return r.side.equals("raw") ? RAW_COLOUR : RESILIENT_COLOUR;
    }

    /** (from ms, to ms, committed per second) per interval, the timeline starting at (0, 0, 0). */
    static List<double[]> rates(List<long[]> timeline) {
        List<double[]> steps = new ArrayList<>();
        long[] prev = {0, 0, 0};
        for (long[] p : timeline) {
            if (p[0] <= prev[0]) {
                continue;
            }
            if (p[0] - prev[0] < SHORTEST_RATE_MS && !steps.isEmpty()) {
                double[] last = steps.remove(steps.size() - 1);
                long lastFrom = (long) last[0];
                double committedBefore = last[3];
                steps.add(step(lastFrom, p[0], committedBefore, p[1]));
            } else {
                steps.add(step(prev[0], p[0], prev[1], p[1]));
            }
            prev = p;
        }
        return steps;
    }

    private static double[] step(long from, long to, double committedFrom, long committedTo) {
        return new double[]{from, to, (committedTo - committedFrom) * 1000.0 / (to - from), committedFrom};
    }

    private static void series(StringBuilder sb, Report r, List<double[]> steps, double yMax, long endMs) {
        StringBuilder pts = new StringBuilder();
        for (double[] s : steps) {
            double y = y(s[2], yMax);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f %.1f,%.1f ", x((long) s[0], endMs), y, x((long) s[1], endMs), y));
        }
        sb.append("<polyline class=\"series\" data-side=\"").append(r.side).append("\" fill=\"none\" stroke=\"").append(colour(r))
                .append("\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"").append(pts.toString().strip()).append("\"><title>")
                .append(ReportFiles.h(r.side)).append(": committed per second</title></polyline>");
    }

    /** Each side's faults at the time they struck on that side (raw dashed); each name written once, above the plot. */
    private static void faults(StringBuilder sb, List<Report> sides, long endMs) {
        Map<String, Double> labels = new LinkedHashMap<>();
        for (Report r : sides) {
            for (Object[] f : r.faults) {
                long ms = ((Number) f[0]).longValue();
                String name = String.valueOf(f[1]);
                double x = x(ms, endMs);
                sb.append(String.format(Locale.ROOT, "<line class=\"fault\" data-side=\"%s\" data-ms=\"%d\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\""
                                + " y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"%s><title>%s (%s, %.1f s)</title></line>",
                        r.side, ms, x, x, TOP - 4, TOP + PLOT_H, FAULT_COLOUR, r.side.equals("raw") ? " stroke-dasharray=\"5 3\"" : "",
                        ReportFiles.h(name), r.side, ms / 1000.0));
                labels.merge(name, x, Math::min);
            }
        }
        // Left to right; a label that would run into the one before goes a row higher.
        double[] rowEnds = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        labels.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
            double x = e.getValue() + 3;
            int row = x > rowEnds[0] ? 0 : x > rowEnds[1] ? 1 : 0;
            rowEnds[row] = x + e.getKey().length() * LABEL_CHAR_W + 6;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s</text>", x, TOP - 8 - row * 13, FAULT_COLOUR,
                    ReportFiles.h(e.getKey())));
        });
    }

    /** One mark per sampling interval with errors, its height by count on a log scale shared by both lanes. */
    private static void errorLane(StringBuilder sb, Report r, int top, long endMs, long maxErrors) {
        sb.append(String.format(Locale.ROOT, "<g class=\"errors\" data-side=\"%s\" data-total=\"%d\">", r.side, r.errors));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f3f3f3\"/>", LEFT, top, PLOT_W, LANE_H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">%s errors</text>",
                LEFT - 4, top + LANE_H - 5, colour(r), r.side));
        long[] prev = {0, 0, 0};
        for (long[] p : r.timeline) {
            long k = p[2] - prev[2];
            if (k > 0) {
                double x0 = x(prev[0], endMs);
                double w = Math.max(3, x(p[0], endMs) - x0);
                double h = 4 + (LANE_H - 4) * Math.log1p(k) / Math.log1p(maxErrors);
                sb.append(String.format(Locale.ROOT, "<rect class=\"err\" data-count=\"%d\" data-from-ms=\"%d\" data-to-ms=\"%d\" x=\"%.1f\""
                                + " y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %s error%s between %.2f s and %.2f s</title></rect>",
                        k, prev[0], p[0], x0, top + LANE_H - h, w, h, colour(r), r.side, Verdict.count(k), k == 1 ? "" : "s",
                        prev[0] / 1000.0, p[0] / 1000.0));
            }
            prev = p;
        }
        sb.append(String.format(Locale.ROOT, "<text class=\"total\" x=\"%d\" y=\"%d\" fill=\"%s\" font-weight=\"bold\">%s</text>",
                LEFT + PLOT_W + 6, top + LANE_H - 5, colour(r), Verdict.count(r.errors)));
        sb.append("</g>");
    }

    private static void yAxis(StringBuilder sb, double yMax) {
        for (int i = 0; i <= 4; i++) {
            double v = yMax * i / 4;
            double y = y(v, yMax);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>", LEFT, LEFT + PLOT_W, y, y))
                    .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 4, y + 4,
                            label(v)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">per second</text>", TOP - 8));
    }

    private static void xAxis(StringBuilder sb, long endMs) {
        double step = niceCeiling(endMs / 1000.0 / 10, TIME_STEPS);
        for (int i = 0; i * step * 1000 <= endMs + 1; i++) {
            double x = x(Math.round(i * step * 1000), endMs);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>", x, x, TOP + PLOT_H, TOP + PLOT_H + 4))
                    .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>", x, TOP + PLOT_H + 16,
                            label(i * step)));
        }
    }

    static double x(long ms, long endMs) {
        return LEFT + PLOT_W * (double) ms / endMs;
    }

    static double y(double rate, double yMax) {
        return TOP + PLOT_H - PLOT_H * rate / yMax;
    }

    /** 1,250 or 12.5 or 0.3: grouped, at most two decimals, no trailing zeros. */
    private static String label(double v) {
        return new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(v);
    }

    /** The smallest of {@code steps} times a power of ten that is at least {@code v}. */
    static double niceCeiling(double v, double[] steps) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : steps) {
            if (m * p >= v * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
