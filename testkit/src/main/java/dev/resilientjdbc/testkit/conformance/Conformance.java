package dev.resilientjdbc.testkit.conformance;

import org.opentest4j.AssertionFailedError;

import java.util.List;

/**
 * Runs a scenario on the raw URL and on the resilient URL of one target, each from a freshly reset
 * database, and fails unless both runs observed exactly the same things.
 */
public final class Conformance {
    private Conformance() {}

    /** The outcome of one run. */
    public record Run(boolean proxied, List<Object> observations, List<String> violations) {}

    /** Resets the target and runs the scenario once. An exception the scenario did not record fails the run. */
    public static Run observe(Target target, Scenario scenario, boolean proxied) throws Exception {
        target.reset();
        try (Probe probe = new Probe(target, proxied)) {
            try {
                scenario.run(probe);
            } catch (Exception | AssertionError e) {
                throw new AssertionFailedError((proxied ? "proxied" : "raw") + " run stopped after "
                        + probe.log().lines().size() + " observations (last: " + last(probe.log().lines()) + "): " + e, e);
            }
            return new Run(proxied, List.copyOf(probe.log().lines()), List.copyOf(probe.violations()));
        }
    }

    /** Both runs, compared. Returns the raw run so callers can add scenario-specific checks. */
    public static Run check(Target target, String name, Scenario scenario) throws Exception {
        String where = "[" + target.name() + "] " + name + ": ";
        Run raw;
        Run proxied;
        try {
            raw = observe(target, scenario, false);
            proxied = observe(target, scenario, true);
        } catch (AssertionFailedError e) {
            throw new AssertionFailedError(where + e.getMessage(), e.getCause());
        }
        dump(target, name, raw, proxied);
        if (raw.observations().isEmpty()) {
            throw new AssertionFailedError(where + "the scenario observed nothing, so it proves nothing");
        }
        if (!raw.violations().isEmpty() || !proxied.violations().isEmpty()) {
            throw new AssertionFailedError(where + "side-specific expectations failed:\n  raw: " + raw.violations()
                    + "\n  proxied: " + proxied.violations());
        }
        if (!raw.observations().equals(proxied.observations())) {
            throw new AssertionFailedError(where + difference(raw.observations(), proxied.observations()),
                    String.join("\n", text(raw.observations())), String.join("\n", text(proxied.observations())));
        }
        return raw;
    }

    /** With {@value #DUMP_PROPERTY} set to a directory, both logs of every scenario are written there for review. */
    public static final String DUMP_PROPERTY = "resilientjdbc.conformance.dump";

    private static void dump(Target target, String name, Run raw, Run proxied) throws java.io.IOException {
        String dir = System.getProperty(DUMP_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return;
        }
        java.nio.file.Path base = java.nio.file.Path.of(dir);
        java.nio.file.Files.createDirectories(base);
        String file = target.name() + "-" + name.replaceAll("[^A-Za-z0-9]+", "_");
        java.nio.file.Files.write(base.resolve(file + ".raw.txt"), text(raw.observations()));
        java.nio.file.Files.write(base.resolve(file + ".proxied.txt"), text(proxied.observations()));
    }

    /** Where two logs part: the first differing line of each, with the lines before it for context. */
    static String difference(List<Object> raw, List<Object> proxied) {
        int i = 0;
        while (i < raw.size() && i < proxied.size() && raw.get(i).equals(proxied.get(i))) {
            i++;
        }
        StringBuilder out = new StringBuilder("raw and proxied runs differ at observation #" + (i + 1) + "\n");
        for (int k = Math.max(0, i - 3); k < i; k++) {
            out.append("   both:    ").append(raw.get(k)).append('\n');
        }
        out.append("   raw:     ").append(i < raw.size() ? raw.get(i) : "<end, " + raw.size() + " observations>").append('\n');
        out.append("   proxied: ").append(i < proxied.size() ? proxied.get(i) : "<end, " + proxied.size() + " observations>");
        return out.toString();
    }

    private static List<String> text(List<Object> lines) {
        return lines.stream().map(String::valueOf).toList();
    }

    private static Object last(List<Object> lines) {
        return lines.isEmpty() ? "none" : lines.get(lines.size() - 1);
    }
}
