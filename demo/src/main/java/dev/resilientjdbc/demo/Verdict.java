package dev.resilientjdbc.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The run in one sentence: errors that reached the application on each side, and whether the checkers
 * found every acknowledged write of the resilient side exactly once. Printed at the end of the run and
 * as the report's headline, so both say the same.
 */
record Verdict(long rawErrors, long resilientErrors, long lost, long duplicated, List<String> failedChecks,
               Map<String, Long> unexpected) {

    /** Error codes the resilient side may show: a replay that diverged, a commit whose outcome is unknown. */
    static final Set<String> RESILIENT_MAY_SEE = Set.of("40001", "08007");

    static Verdict of(List<Report> reports) {
        long raw = 0;
        long resilient = 0;
        long lost = 0;
        long duplicated = 0;
        List<String> failed = new java.util.ArrayList<>();
        Map<String, Long> unexpected = new LinkedHashMap<>();
        for (Report r : reports) {
            if (!r.side.equals("resilient")) {
                raw += r.errors;
                continue;
            }
            resilient += r.errors;
            lost += r.lost;
            duplicated += r.duplicated;
            if (!r.consistent || r.lost > 0 || r.duplicated > 0) {
                failed.add(r.workload);
            }
            r.errorsByState.forEach((k, v) -> {
                if (!RESILIENT_MAY_SEE.contains(k)) {
                    unexpected.merge(r.workload + " " + k, v, Long::sum);
                }
            });
        }
        return new Verdict(raw, resilient, lost, duplicated, List.copyOf(failed), unexpected);
    }

    /** Every acknowledged write of the resilient side is in the database once, as its checkers found. */
    boolean landedOnce() {
        return failedChecks.isEmpty();
    }

    boolean ok() {
        return landedOnce() && unexpected.isEmpty();
    }

    /** "raw: 598,534 errors reached the application; resilient-jdbc: 8, every acknowledged write landed once". */
    String headline() {
        String tail = landedOnce() ? "every acknowledged write landed once"
                : "NOT every acknowledged write landed once (" + count(lost) + " lost, " + count(duplicated)
                + " duplicated or applied despite an error; data check failed: " + String.join(", ", failedChecks) + ")";
        return "raw: " + count(rawErrors) + " errors reached the application; resilient-jdbc: " + count(resilientErrors) + ", " + tail;
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
