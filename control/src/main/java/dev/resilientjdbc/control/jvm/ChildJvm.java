package dev.resilientjdbc.control.jvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A child JVM ({@code java [jvmArgs] -cp classPath mainClass args...}) that the agent tests and the
 * demo start. It never inherits {@code RESILIENT_*} variables from whoever runs the build or the demo:
 * a child's resilience settings are the ones its starter gives it. Two named daemon threads read its
 * stdout (lines kept, unless a stdout hook takes them) and stderr (all lines, or the last
 * {@link Builder#stderrTail(int) n}) into lists the caller can wait on; {@link #close()} kills the
 * process if it still runs and joins the readers, so a child never outlives its user.
 */
public final class ChildJvm implements AutoCloseable {
    /** The {@code java} binary of the running JVM. */
    public static final String THIS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final int TAIL = 15;

    private final Process process;
    private final String name;
    private final Predicate<String> stdoutHook;
    private final int stderrLimit;
    private final UnaryOperator<String> redact;
    private final Writer stdin;
    private final List<String> out = new ArrayList<>();
    private final Deque<String> err = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread outReader;
    private final Thread errReader;
    private boolean outEnded;

    private ChildJvm(Process process, Builder b, String name) {
        this.process = process;
        this.name = name;
        this.stdoutHook = b.stdoutHook;
        this.stderrLimit = b.stderrTail;
        this.redact = b.redact;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.outReader = reader(process.getInputStream(), true);
        this.errReader = reader(process.getErrorStream(), false);
    }

    /** A child running {@code mainClass}; by default on this JVM's {@code java} with this JVM's class path. */
    public static Builder builder(String mainClass) {
        return new Builder(mainClass);
    }

    /** Starts {@code java [jvmArgs] -cp <this JVM's class path> mainClass args...}. */
    public static ChildJvm start(String java, List<String> jvmArgs, String mainClass, String... args) throws IOException {
        return start(java, Map.of(), jvmArgs, mainClass, args);
    }

    /** As above, with extra environment variables. */
    public static ChildJvm start(String java, Map<String, String> env, List<String> jvmArgs, String mainClass, String... args)
            throws IOException {
        return builder(mainClass).java(java).env(env).jvmArgs(jvmArgs).args(args).start();
    }

    /** As above, with a class path of the caller's choosing. */
    public static ChildJvm startWithClassPath(String java, Map<String, String> env, List<String> jvmArgs, String classPath,
                                              String mainClass, String... args) throws IOException {
        return builder(mainClass).java(java).env(env).jvmArgs(jvmArgs).classPath(classPath).args(args).start();
    }

    /** How to start one child; nothing runs before {@link #start()}. */
    public static final class Builder {
        private final String mainClass;
        private String java = THIS_JAVA;
        private final Map<String, String> env = new LinkedHashMap<>();
        private List<String> jvmArgs = List.of();
        private String classPath = System.getProperty("java.class.path");
        private List<String> args = List.of();
        private String name;
        private Predicate<String> stdoutHook = line -> false;
        private int stderrTail = Integer.MAX_VALUE;
        private UnaryOperator<String> redact = UnaryOperator.identity();

        private Builder(String mainClass) {
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
            this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        }

        /** The {@code java} binary; default {@link #THIS_JAVA}. */
        public Builder java(String java) {
            this.java = Objects.requireNonNull(java, "java");
            return this;
        }

        /** Environment variables on top of this JVM's, which loses every {@code RESILIENT_*} variable first. */
        public Builder env(Map<String, String> env) {
            this.env.putAll(env);
            return this;
        }

        public Builder env(String key, String value) {
            this.env.put(key, value);
            return this;
        }

        public Builder jvmArgs(List<String> jvmArgs) {
            this.jvmArgs = List.copyOf(jvmArgs);
            return this;
        }

        public Builder classPath(String classPath) {
            this.classPath = Objects.requireNonNull(classPath, "classPath");
            return this;
        }

        public Builder args(String... args) {
            this.args = List.of(args);
            return this;
        }

        /** Names the reader threads ({@code <name>-stdout}, {@code <name>-stderr}) and the error messages; default the main class's simple name. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Sees every stdout line first; a line it returns true for is taken (e.g. a progress counter) and not kept. */
        public Builder stdoutHook(Predicate<String> hook) {
            this.stdoutHook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** Keeps only the last {@code lines} stderr lines (a long run's log); default all. */
        public Builder stderrTail(int lines) {
            if (lines < 1) {
                throw new IllegalArgumentException("stderrTail must be positive: " + lines);
            }
            this.stderrTail = lines;
            return this;
        }

        /** Applied to the child's output quoted in error messages, e.g. to mask a password in a URL. */
        public Builder redact(UnaryOperator<String> redact) {
            this.redact = Objects.requireNonNull(redact, "redact");
            return this;
        }

        public ChildJvm start() throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(mainClass);
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            // The child must not inherit the RESILIENT_* settings of whoever runs the build or the demo.
            pb.environment().keySet().removeIf(k -> k.startsWith("RESILIENT_"));
            pb.environment().putAll(env);
            return new ChildJvm(pb.start(), this, name + "-" + SEQ.incrementAndGet());
        }
    }

    private Thread reader(InputStream in, boolean stdout) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (stdout && stdoutHook.test(line)) {
                        continue;
                    }
                    lock.lock();
                    try {
                        if (stdout) {
                            out.add(line);
                        } else {
                            err.addLast(line);
                            if (err.size() > stderrLimit) {
                                err.removeFirst();
                            }
                        }
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // the process went away
            }
            lock.lock();
            try {
                if (stdout) {
                    outEnded = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }, name + (stdout ? "-stdout" : "-stderr"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The first stdout line matching {@code wanted}, waiting up to {@code timeout}.
     *
     * @throws IllegalStateException when none comes in time or the child's stdout ends first; the message
     *         quotes the ends of both streams
     */
    public String awaitLine(Predicate<String> wanted, Duration timeout, String what) throws InterruptedException {
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
                if (left <= 0 || outEnded) {
                    throw new IllegalStateException(name + ": no " + what + " within " + format(timeout)
                            + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")") + tails());
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The stdout lines so far (not those the stdout hook took). */
    public List<String> stdout() {
        lock.lock();
        try {
            return List.copyOf(out);
        } finally {
            lock.unlock();
        }
    }

    /** The stderr lines so far (the last ones only, with a stderr tail). */
    public List<String> stderr() {
        lock.lock();
        try {
            return List.copyOf(err);
        } finally {
            lock.unlock();
        }
    }

    /** Writes one line to the child's stdin. */
    public void send(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /**
     * Waits for the child to exit and for its output to be read; its exit status.
     *
     * @throws IllegalStateException when it still runs after {@code timeout}
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + format(timeout) + tails());
        }
        outReader.join(timeout.toMillis());
        errReader.join(timeout.toMillis());
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        boolean interrupted = false;
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            outReader.join(5_000);
            errReader.join(5_000);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private String tails() {
        lock.lock();
        try {
            List<String> errs = new ArrayList<>(err);
            return redact.apply("\nstdout tail:\n  " + String.join("\n  ", out.subList(Math.max(0, out.size() - TAIL), out.size()))
                    + "\nstderr tail:\n  " + String.join("\n  ", errs.subList(Math.max(0, errs.size() - TAIL), errs.size())));
        } finally {
            lock.unlock();
        }
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
