package dev.resilientjdbc.control.pg;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The postmaster of a {@link PgServer} as an operating-system process: initdb, start-up with port
 * retries, signals (fast and immediate stop, kill -9 of the whole process tree, SIGSTOP/SIGCONT pause
 * with an optional timed resume), the shutdown hook, the instance directory and the server log. No
 * SQL: start-up asks the caller's {@link Readiness} whether the server answers.
 *
 * <p>Every method expects the caller to hold the lock given to the constructor (the server's one
 * lock), except {@link #shutDownTimer()} and the timed resume, which take it themselves.
 */
final class PgProcess {
    static final String HOST = "127.0.0.1";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 40;

    /** Whether the server answers queries yet: returns when it does, throws while it does not. */
    interface Readiness {
        void check() throws SQLException;
    }

    private final Path binDir;
    private final Path instanceDir;
    private final Path dataDir;
    private final Path logFile;
    private final Map<String, String> settings;
    private final boolean keepDataDir;
    private final boolean portChosenByCaller;
    private final Duration startTimeout;
    private final ServerUser serverUser = ServerUser.current();
    private final ReentrantLock lock;
    private final Runnable dropSessions;

    private int port;
    private volatile Process postmaster; // volatile only for the shutdown hook
    private boolean paused;
    // Backends and helpers stopped by freeze(); continued with the postmaster.
    private final List<Long> frozenChildren = new java.util.ArrayList<>();
    private boolean initialized;
    private ScheduledExecutorService resumeTimer;
    private Thread resumeThread;
    private ScheduledFuture<?> pendingResume;
    private Thread shutdownHook;
    private Duration initDbDuration = Duration.ZERO;

    /**
     * @param dropSessions run when the server is about to stop or has gone: closes the caller's sessions to it
     */
    PgProcess(Path binDir, Path instanceDir, Map<String, String> settings, int port, boolean keepDataDir, Duration startTimeout,
              ReentrantLock lock, Runnable dropSessions) {
        this.binDir = binDir;
        this.instanceDir = instanceDir;
        this.dataDir = instanceDir.resolve("data");
        this.logFile = instanceDir.resolve("postgres.log");
        this.settings = settings;
        this.port = port;
        this.portChosenByCaller = port != 0;
        this.keepDataDir = keepDataDir;
        this.startTimeout = startTimeout;
        this.lock = lock;
        this.dropSessions = dropSessions;
    }

    // ---------------------------------------------------------------- start and stop

    /** Runs initdb the first time, then starts the postmaster and waits until {@code ready} passes. */
    void start(Readiness ready) throws IOException {
        if (!initialized) {
            initDb();
            initialized = true;
        }
        launchWithPortRetries(ready);
    }

    /** Sends {@code SIG<signal>} (INT: fast, QUIT: immediate) and waits for every server process to exit. */
    void stop(String signal) {
        if (!isAlive()) {
            afterExit();
            return;
        }
        cancelPendingResume();
        dropSessions.run();
        resumeIfPaused();
        List<Long> children = descendantPids();
        OsProcesses.signal(signal, postmaster.pid());
        if (!awaitExit(postmaster, STOP_TIMEOUT)) {
            killEverything();
            throw new IllegalStateException("postgres did not stop on SIG" + signal + " within " + STOP_TIMEOUT
                    + " and was killed; log tail:\n" + logTail());
        }
        try {
            List<Long> survivors = OsProcesses.awaitDeath(children, STOP_TIMEOUT);
            survivors.forEach(OsProcesses::killForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        afterExit();
    }

    /** kill -9 of the postmaster and its children, the postmaster stopped first so it forks none we miss; removes {@code postmaster.pid}. */
    void crash() throws IOException, InterruptedException {
        if (!isAlive()) {
            return;
        }
        cancelPendingResume();
        long pid = postmaster.pid();
        OsProcesses.signal("STOP", pid);
        List<Long> children = descendantPids();
        children.forEach(OsProcesses::killForcibly);
        postmaster.destroyForcibly();
        awaitExit(postmaster, STOP_TIMEOUT);
        List<Long> survivors = OsProcesses.awaitDeath(children, STOP_TIMEOUT);
        if (!survivors.isEmpty()) {
            throw new IllegalStateException("server processes survived SIGKILL: " + survivors);
        }
        afterExit();
        Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
    }

    /** Stops the server (fast, else kill -9), removes the shutdown hook and deletes the instance directory unless kept. */
    void destroy() throws IOException, InterruptedException {
        try {
            stop("INT");
        } catch (RuntimeException stopFailed) {
            crash();
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run; nothing to remove
            }
            shutdownHook = null;
        }
        if (!keepDataDir) {
            FileTrees.deleteRecursively(instanceDir);
        }
    }

    // ---------------------------------------------------------------- pause and resume

    /** SIGSTOP to the postmaster, until {@link #resume()}. */
    void pause() {
        cancelPendingResume();
        if (!paused) {
            if (!OsProcesses.signal("STOP", postmaster.pid())) {
                throw new IllegalStateException("could not SIGSTOP postmaster " + postmaster.pid());
            }
            paused = true;
        }
    }

    /**
     * SIGSTOP to the postmaster and then to every process under it (backends included), until
     * {@link #resume()}: the whole server is frozen, sessions that exist as well as new ones.
     */
    void freeze() {
        pause();
        for (long pid : descendantPids()) {
            if (OsProcesses.signal("STOP", pid)) {
                frozenChildren.add(pid);
            }
        }
    }

    /** {@link #pause()}, and a resume on a daemon timer after {@code duration}. */
    void pause(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        pause();
        if (resumeTimer == null) {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "resilient-pg-resume-" + port);
                thread.setDaemon(true);
                resumeThread = thread;
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true);
            // No idle thread between pauses.
            timer.setKeepAliveTime(1, TimeUnit.SECONDS);
            timer.allowCoreThreadTimeOut(true);
            resumeTimer = timer;
        }
        pendingResume = resumeTimer.schedule(this::timedResume, duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** SIGCONT to a paused postmaster; cancels a timed resume. */
    void resume() {
        cancelPendingResume();
        resumeIfPaused();
    }

    boolean isPaused() {
        return paused && isAlive();
    }

    /** Ends the timed-resume timer and waits for its thread; takes the lock itself, so call it without. */
    void shutDownTimer() {
        ScheduledExecutorService timer;
        Thread timerThread;
        lock.lock();
        try {
            cancelPendingResume();
            timer = resumeTimer;
            timerThread = resumeThread;
            resumeTimer = null;
            resumeThread = null;
        } finally {
            lock.unlock();
        }
        // Outside the lock: a resume task waiting for it must be able to finish.
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
                if (timerThread != null) {
                    timerThread.join(TimeUnit.SECONDS.toMillis(10)); // the pool says "terminated" a moment before its thread ends
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- facts

    /** The postmaster process is alive (paused counts). */
    boolean isAlive() {
        return postmaster != null && postmaster.isAlive();
    }

    long pid() {
        return postmaster.pid();
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return logFile;
    }

    Map<String, String> settings() {
        return settings;
    }

    Duration initDbDuration() {
        return initDbDuration;
    }

    /** The last lines of the server log that error messages quote. */
    String logTail() {
        return FileTrees.tail(logFile, LOG_TAIL_LINES);
    }

    // ---------------------------------------------------------------- internals

    private void initDb() throws IOException {
        long begin = System.nanoTime();
        Files.createDirectory(dataDir);
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        serverUser.handOver(dataDir);
        serverUser.checkReachable(dataDir);
        // -N: no fsync of the fresh cluster; only an OS crash could hurt it, and tests crash processes, not kernels.
        List<String> command = serverUser.command(List.of(binDir.resolve("bin/initdb").toString(),
                "-D", dataDir.toString(), "-A", "trust", "-U", PgAdmin.USER, "-E", "UTF8", "--locale=C", "-N"));
        Process initdb = newProcess(command).start();
        try {
            if (!initdb.waitFor(2, TimeUnit.MINUTES)) {
                initdb.destroyForcibly();
                throw new IllegalStateException("initdb did not finish within 2 minutes; log tail:\n" + logTail());
            }
        } catch (InterruptedException e) {
            initdb.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during initdb", e);
        }
        if (initdb.exitValue() != 0) {
            throw new IllegalStateException("initdb failed with exit code " + initdb.exitValue() + "; log tail:\n" + logTail());
        }
        initDbDuration = Duration.ofNanos(System.nanoTime() - begin);
    }

    private void launchWithPortRetries(Readiness ready) throws IOException {
        boolean firstStart = port == 0;
        for (int attempt = 1; ; attempt++) {
            if (firstStart) {
                port = freePort();
            }
            try {
                launch(ready);
                return;
            } catch (PortTakenException taken) {
                // A port found free a moment ago was taken by someone else; only a port we chose may change.
                if (!firstStart || portChosenByCaller || attempt >= PORT_ATTEMPTS) {
                    throw new IllegalStateException(taken.getMessage());
                }
            }
        }
    }

    private void launch(Readiness ready) throws IOException {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("bin/postgres").toString(),
                "-D", dataDir.toString(), "-p", Integer.toString(port)));
        settings.forEach((key, value) -> {
            command.add("-c");
            command.add(key + "=" + value);
        });
        long logSizeBefore = Files.exists(logFile) ? Files.size(logFile) : 0;
        postmaster = newProcess(serverUser.command(command)).start();
        paused = false;
        installShutdownHook();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        SQLException last = null;
        while (true) {
            if (!postmaster.isAlive()) {
                int exit = postmaster.exitValue();
                afterExit();
                String newLog = logSince(logSizeBefore);
                if (newLog.contains("could not bind") || newLog.contains("Address already in use")) {
                    throw new PortTakenException("port " + port + " is in use:\n" + newLog);
                }
                throw new IllegalStateException("postgres exited with code " + exit + " during start-up; log tail:\n" + logTail());
            }
            try {
                ready.check();
                return;
            } catch (SQLException notYet) {
                last = notYet;
            }
            if (System.nanoTime() > deadline) {
                IllegalStateException failure = new IllegalStateException("postgres did not accept connections on " + HOST + ":" + port
                        + " within " + startTimeout + "; log tail:\n" + logTail());
                failure.addSuppressed(last);
                killEverything();
                throw failure;
            }
            sleep(POLL_INTERVAL);
        }
    }

    private void killEverything() {
        if (postmaster == null) {
            return;
        }
        List<Long> children = postmaster.isAlive() ? descendantPids() : List.of();
        postmaster.destroyForcibly();
        children.forEach(OsProcesses::killForcibly);
        awaitExit(postmaster, STOP_TIMEOUT);
        afterExit();
    }

    private void afterExit() {
        dropSessions.run();
        paused = false;
    }

    private void resumeIfPaused() {
        for (long pid : frozenChildren) {
            OsProcesses.signal("CONT", pid); // the backends first: the postmaster finds them running
        }
        frozenChildren.clear();
        if (paused && isAlive()) {
            OsProcesses.signal("CONT", postmaster.pid());
        }
        paused = false;
    }

    private void timedResume() {
        lock.lock();
        try {
            pendingResume = null;
            resumeIfPaused();
        } finally {
            lock.unlock();
        }
    }

    private void cancelPendingResume() {
        if (pendingResume != null) {
            pendingResume.cancel(false);
            pendingResume = null;
        }
    }

    private List<Long> descendantPids() {
        return postmaster.toHandle().descendants().map(ProcessHandle::pid).toList();
    }

    private ProcessBuilder newProcess(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(instanceDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Libpq-style variables would only confuse the server tools; locale comes from initdb.
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        builder.environment().put("LC_ALL", "C");
        return builder;
    }

    // If the JVM exits without close(), do not leave a postmaster holding the port and the directory.
    private void installShutdownHook() {
        if (shutdownHook != null) {
            return;
        }
        Thread hook = new Thread(() -> {
            Process process = postmaster;
            if (process != null && process.isAlive()) {
                List<Long> children = process.toHandle().descendants().map(ProcessHandle::pid).toList();
                process.destroyForcibly();
                children.forEach(OsProcesses::killForcibly);
                awaitExit(process, Duration.ofSeconds(5));
            }
            if (!keepDataDir) {
                try {
                    FileTrees.deleteRecursively(instanceDir);
                } catch (IOException | RuntimeException ignored) {
                    // best effort while the JVM goes down
                }
            }
        }, "resilient-pg-shutdown-" + port);
        hook.setDaemon(true);
        Runtime.getRuntime().addShutdownHook(hook);
        shutdownHook = hook;
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static boolean awaitExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for postgres", e);
        }
    }

    private static final class PortTakenException extends IOException {
        PortTakenException(String message) {
            super(message);
        }
    }
}
