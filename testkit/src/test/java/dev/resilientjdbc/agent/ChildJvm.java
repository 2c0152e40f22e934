package dev.resilientjdbc.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A child JVM running one of the legacy apps, with or without the agent, on a chosen JDK. Its
 * stdout and stderr are read by two named daemon threads into line lists the test can wait on;
 * {@link #close()} kills the process if it is still running and joins the readers.
 */
final class ChildJvm implements AutoCloseable {
    static final Path AGENT_JAR = locateAgentJar();
    static final String JDK17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final Path JDK25_HOME = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    private final Process process;
    private final Writer stdin;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread outReader;
    private final Thread errReader;

    private ChildJvm(Process process, String name) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.outReader = reader(process.getInputStream(), out, name + "-stdout");
        this.errReader = reader(process.getErrorStream(), err, name + "-stderr");
    }

    /** Starts {@code java [jvmArgs] -cp <test class path> mainClass args...}. */
    static ChildJvm start(String java, List<String> jvmArgs, String mainClass, String... args) throws IOException {
        return start(java, Map.of(), jvmArgs, mainClass, args);
    }

    /** As above, with extra environment variables. */
    static ChildJvm start(String java, Map<String, String> env, List<String> jvmArgs, String mainClass, String... args)
            throws IOException {
        return startWithClassPath(java, env, jvmArgs, System.getProperty("java.class.path"), mainClass, args);
    }

    /** As above, with a class path of the test's choosing. */
    static ChildJvm startWithClassPath(String java, Map<String, String> env, List<String> jvmArgs, String classPath, String mainClass,
                          String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // The child must not inherit RESILIENT_* settings of whoever runs the build.
        pb.environment().keySet().removeIf(k -> k.startsWith("RESILIENT_"));
        pb.environment().putAll(env);
        return new ChildJvm(pb.start(), mainClass.substring(mainClass.lastIndexOf('.') + 1));
    }

    static String agentArg(String options) {
        return "-javaagent:" + AGENT_JAR + (options == null || options.isEmpty() ? "" : "=" + options);
    }

    static boolean jdk25Available() {
        return Files.isExecutable(JDK25_HOME.resolve("bin/java"));
    }

    static String jdk25() {
        return JDK25_HOME.resolve("bin/java").toString();
    }

    private Thread reader(InputStream in, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lock.lock();
                    try {
                        lines.add(line);
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            }
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }, "child-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The first stdout line matching {@code wanted}, waiting up to {@code timeout}; fails with both streams shown. */
    String awaitLine(Predicate<String> wanted, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (String line : out) {
                    if (wanted.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !outReader.isAlive())) {
                    throw new AssertionError("child JVM: no " + what + " within " + timeout + " (alive=" + process.isAlive()
                            + ")\nstdout tail: " + tail(out) + "\nstderr tail: " + tail(err));
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The highest {@code OPS n} the child has printed (10 once READY). */
    int opsDone() {
        lock.lock();
        try {
            int n = 0;
            for (String line : out) {
                if (line.equals("READY")) {
                    n = Math.max(n, 10);
                } else if (line.startsWith("OPS ")) {
                    n = Math.max(n, Integer.parseInt(line.substring(4).trim()));
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the child has done {@code more} operations beyond what it had done when called. */
    void awaitProgress(int more, Duration timeout) throws InterruptedException {
        int target = opsDone() + more;
        awaitLine(l -> l.startsWith("OPS ") && Integer.parseInt(l.substring(4).trim()) >= target, timeout,
                "progress to " + target + " operations");
    }

    void send(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child JVM did not exit within " + timeout + "\nstdout tail: " + tail(out)
                    + "\nstderr tail: " + tail(err));
        }
        outReader.join(timeout.toMillis());
        errReader.join(timeout.toMillis());
        return process.exitValue();
    }

    List<String> stdout() {
        lock.lock();
        try {
            return List.copyOf(out);
        } finally {
            lock.unlock();
        }
    }

    List<String> stderr() {
        lock.lock();
        try {
            return List.copyOf(err);
        } finally {
            lock.unlock();
        }
    }

    private static String tail(List<String> lines) {
        return String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        outReader.join(5_000);
        errReader.join(5_000);
    }

    private static Path locateAgentJar() {
        // Surefire runs in testkit/; the reactor built the agent module before it.
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("agent/target/resilient-agent.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("agent/target/resilient-agent.jar not found above " + here
                + ": build the agent module first (mvn -pl testkit -am verify)");
    }
}
