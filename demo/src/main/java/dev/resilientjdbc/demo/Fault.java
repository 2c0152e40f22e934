package dev.resilientjdbc.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The faults the ledger runs under, in the order they strike, and when (as a fraction of the run). */
enum Fault {
    TERMINATE("terminate", "terminate all backends", 0.15),
    RESTART("restart", "fast restart", 0.35),
    CRASH("crash", "crash restart (kill -9)", 0.55),
    CUT("cut", "TCP path cut", 0.75);

    final String option;
    final String title;
    final double at;

    Fault(String option, String title, double at) {
        this.option = option;
        this.title = title;
        this.at = at;
    }

    static String accepted() {
        return Arrays.stream(values()).map(f -> f.option).collect(Collectors.joining(", "));
    }

    static String names(Set<Fault> faults) {
        return faults.isEmpty() ? "none" : faults.stream().map(f -> f.option).collect(Collectors.joining(","));
    }

    /**
     * {@code terminate,cut} or {@code none}: a set in schedule order.
     *
     * @throws IllegalArgumentException naming the values that are not faults and what is accepted
     */
    static EnumSet<Fault> parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("none")) {
            return EnumSet.noneOf(Fault.class);
        }
        EnumSet<Fault> out = EnumSet.noneOf(Fault.class);
        List<String> unknown = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String p = part.trim();
            Fault f = Arrays.stream(values()).filter(x -> x.option.equals(p)).findFirst().orElse(null);
            if (f == null) {
                unknown.add("'" + p + "'");
            } else {
                out.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("--faults " + value + ": " + String.join(", ", unknown)
                    + (unknown.size() == 1 ? " is not a fault" : " are not faults")
                    + "; give a comma-separated list of " + accepted() + ", or none");
        }
        return out;
    }
}
