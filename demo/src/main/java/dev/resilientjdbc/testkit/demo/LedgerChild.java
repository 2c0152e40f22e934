package dev.resilientjdbc.testkit.demo;

import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.testkit.legacy.LedgerApp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The ledger app ({@link LedgerApp}) in a child JVM, with or without {@code -javaagent}. Two named
 * daemon threads read its stdout (progress lines are kept as counters, everything else as lines) and
 * stderr (the last lines, for error messages). {@link #close()} destroys the process if it still runs
 * and joins the readers, so a child never outlives the demo's run of it.
 */
final class LedgerChild implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final int ERR_TAIL = 40;

    private final Process process;
    private final String name;
    private final List<String> out = new ArrayList<>();
    private final Deque<String> err = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread outReader;
    private final Thread errReader;
    private volatile long committed;
    private volatile long failed;

    private LedgerChild(Process process, String name) {
        this.process = process;
        this.name = name;
        this.outReader = reader(process.getInputStream(), true, name + "-stdout");
        this.errReader = reader(process.getErrorStream(), false, name + "-stderr");
    }

    /**
     * Starts {@code java [jvmArgs] -cp classPath LedgerApp - clients durationMs}; the URL goes in the
     * environment, not the command line, so a password in it does not show in a process listing.
     */
    static LedgerChild start(List<String> jvmArgs, String classPath, String url, int clients, Duration duration, String side)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(LedgerApp.class.getName());
        cmd.add("-");
        cmd.add(String.valueOf(clients));
        cmd.add(String.valueOf(duration.toMillis()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(LedgerApp.URL_ENV, url);
        return new LedgerChild(pb.start(), "ledger-app-" + side + "-" + SEQ.incrementAndGet());
    }

    private Thread reader(InputStream in, boolean stdout, String threadName) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (stdout && line.startsWith("PROGRESS ")) {
                        String[] f = line.split(" ");
                        committed = Long.parseLong(f[1]);
                        failed = Long.parseLong(f[2]);
                        continue;
                    }
                    lock.lock();
                    try {
                        if (stdout) {
                            out.add(line);
                        } else {
                            err.addLast(line);
                            if (err.size() > ERR_TAIL) {
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
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }

    long committed() {
        return committed;
    }

    long failed() {
        return failed;
    }

    /** The first stdout line matching {@code wanted}, waiting up to {@code timeout}; an exception with the child's stderr if it never comes. */
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
                if (left <= 0 || !outReader.isAlive()) {
                    throw new IllegalStateException(name + ": no " + what + " within " + DemoMain.format(timeout)
                            + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")") + "; its last stderr lines:\n  "
                            + UrlMasking.mask(String.join("\n  ", err)));
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
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

    /** Asks the app to end its run early (it still reports its result). */
    void stop() {
        try {
            OutputStream in = process.getOutputStream();
            in.write("STOP\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException gone) {
            // it has ended already
        }
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + DemoMain.format(timeout));
        }
        outReader.join(timeout.toMillis());
        return process.exitValue();
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
}
