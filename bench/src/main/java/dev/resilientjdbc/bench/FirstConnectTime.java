package dev.resilientjdbc.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Whole-process cost of the first connection: the wall time from starting a JVM to its exit after one
 * {@code select 1} on an in-memory SQLite database ({@link FirstQuery}), for the raw sqlite-jdbc URL, the
 * {@code jdbc:resilient:} URL with the self-contained jar, and the raw URL under {@code -javaagent}. The sides run
 * interleaved (raw, URL, agent, raw, ...) so that a machine whose speed drifts slows all of them alike; medians
 * and each side's median excess over raw are printed, with the load average before and after.
 *
 * <p>Not JMH: what is measured is JVM start, class loading and initialisation, which a warmed-up benchmark
 * never sees. JDK classes only, so the children's class paths hold nothing but what each side needs.
 *
 * <p>Run, after {@code mvn -q -B -DskipTests package}: {@code java -cp bench/target/classes
 * dev.resilientjdbc.bench.FirstConnectTime [runs]} (default 20 runs per side, after one warm-up round). Another
 * build's driver class path and agent jar: {@code -Dfirstconnect.driver=... -Dfirstconnect.agent=...}
 * ({@code -Dfirstconnect.anyStderr=true} for a build that prints on stderr). A before/after comparison in one run:
 * {@code -Dfirstconnect.before.driver=... -Dfirstconnect.before.agent=...} (e.g. the jars of the base commit, copied
 * aside) add a "before" side of each, interleaved with the others.
 */
public final class FirstConnectTime {
    private static final boolean ANY_STDERR = Boolean.getBoolean("firstconnect.anyStderr");

    private FirstConnectTime() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path root = repositoryRoot();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String probe = root.resolve("bench/target/classes").toString();
        String sqlite = only(root.resolve("bench/target/first-connect"), "sqlite-jdbc-");
        // Another build's jars (a before/after comparison): -Dfirstconnect.driver=<class path> -Dfirstconnect.agent=<jar>.
        String bundle = System.getProperty("firstconnect.driver", existing(root.resolve("bundle/target/resilient-jdbc-all.jar")));
        String agent = System.getProperty("firstconnect.agent", existing(root.resolve("agent/target/resilient-agent.jar")));
        String sep = File.pathSeparator;
        String main = FirstQuery.class.getName();
        Map<String, List<String>> sides = new LinkedHashMap<>();
        sides.put("raw sqlite-jdbc", List.of(java, "-cp", probe + sep + sqlite, main, "jdbc:sqlite::memory:"));
        sides.put("jdbc:resilient: URL", List.of(java, "-cp", probe + sep + bundle + sep + sqlite, main, "jdbc:resilient:sqlite::memory:"));
        sides.put("raw URL + -javaagent", List.of(java, "-javaagent:" + agent, "-cp", probe + sep + sqlite, main, "jdbc:sqlite::memory:"));
        String beforeDriver = System.getProperty("firstconnect.before.driver");
        if (beforeDriver != null) {
            sides.put("URL, before", List.of(java, "-cp", probe + sep + beforeDriver + sep + sqlite, main, "jdbc:resilient:sqlite::memory:"));
        }
        String beforeAgent = System.getProperty("firstconnect.before.agent");
        if (beforeAgent != null) {
            sides.put("-javaagent, before", List.of(java, "-javaagent:" + beforeAgent, "-cp", probe + sep + sqlite, main, "jdbc:sqlite::memory:"));
        }

        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        for (List<String> cmd : sides.values()) {
            time(cmd); // warm-up: the page cache, the JIT of nothing yet
        }
        Map<String, long[]> times = new LinkedHashMap<>();
        sides.keySet().forEach(k -> times.put(k, new long[runs]));
        for (int i = 0; i < runs; i++) {
            for (Map.Entry<String, List<String>> e : sides.entrySet()) {
                times.get(e.getKey())[i] = time(e.getValue());
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        System.out.printf("First connection, whole process (JVM start to exit after select 1 on :memory:), %d interleaved runs per side,"
                + " %d processors, load average %.2f before, %.2f after%n", runs, Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter);
        double raw = median(times.values().iterator().next());
        System.out.printf("%-22s %10s %10s %10s %12s%n", "side", "min ms", "median ms", "max ms", "median - raw");
        for (Map.Entry<String, long[]> e : times.entrySet()) {
            long[] t = e.getValue().clone();
            Arrays.sort(t);
            double med = median(t);
            System.out.printf("%-22s %10.0f %10.0f %10.0f %+11.0f%n", e.getKey(), t[0] / 1e6, med / 1e6, t[t.length - 1] / 1e6, (med - raw) / 1e6);
        }
    }

    /** Wall nanoseconds from start to exit; the child must print 1 and nothing else on stderr than the agent's banner. */
    private static long time(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out;
        String err;
        try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
            out = new String(o.readAllBytes(), StandardCharsets.UTF_8).trim();
            err = new String(e.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        int rc = p.waitFor();
        long took = System.nanoTime() - t0;
        // The agent's one start-up line is by design; anything else on stderr is a fault of the side (unless told:
        // an older build printed SLF4J's "no providers" notice).
        boolean errOk = ANY_STDERR || err.lines().allMatch(l -> l.startsWith("resilient-agent "));
        if (rc != 0 || !out.equals("1") || !errOk) {
            throw new IllegalStateException(String.join(" ", cmd) + ": exit " + rc + ", stdout [" + out + "], stderr [" + err + "]");
        }
        return took;
    }

    private static double median(long[] values) {
        long[] t = values.clone();
        Arrays.sort(t);
        int n = t.length;
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2.0;
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("bench/target/classes"))) {
                return d;
            }
        }
        throw new IllegalStateException("run from the repository (bench/target/classes not found): mvn -q -B -DskipTests package first");
    }

    private static String existing(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " not found: mvn -q -B -DskipTests package first");
        }
        return p.toString();
    }

    private static String only(Path dir, String prefix) throws IOException {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(found::add);
            }
        }
        if (found.size() != 1) {
            throw new IllegalStateException("expected one " + prefix + "*.jar in " + dir + " (the bench build copies it), found " + found);
        }
        return found.get(0).toString();
    }
}
