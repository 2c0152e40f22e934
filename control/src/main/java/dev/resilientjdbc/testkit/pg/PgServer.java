package dev.resilientjdbc.testkit.pg;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A real PostgreSQL 17 server on 127.0.0.1 whose processes this object owns, so tests can stop,
 * crash, pause and restart it on purpose.
 *
 * <p>The postmaster is started directly (no {@code pg_ctl}), so {@link #postmasterPid()} is exact and
 * every fault is a real signal to a real process. When the JVM runs as root, initdb and postgres run
 * as uid/gid 65534 through {@code setpriv}. The server keeps its port and data directory across
 * {@link #restart()} and {@link #crashRestart()}.
 *
 * <p>Layout: {@code <baseDir>/pg-<random>/data} (the cluster) and {@code <baseDir>/pg-<random>/postgres.log}
 * (initdb and server output). {@link #close()} deletes {@code pg-<random>} unless
 * {@link Builder#keepDataDir(boolean)} was set.
 *
 * <p>Durability: by default {@code fsync=off} and {@code synchronous_commit=off}, which is fast but
 * loses acknowledged commits on a crash. Any test that crashes or kills the server must use
 * {@link Builder#crashSafe(boolean) crashSafe(true)}.
 *
 * <p>Client-backend queries ({@link #clientBackendPids()}, {@link #terminateAllClientBackends()}, ...) go
 * through one lazily opened admin connection, which counts towards {@code max_connections} and is never
 * reported or terminated by those methods.
 */
public final class PgServer implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final String USER = "postgres";
    private static final String ADMIN_APPLICATION_NAME = "resilient-testkit-admin";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 40;

    private final Path binDir;
    private final Path instanceDir;
    private final Path dataDir;
    private final Path logFile;
    private final String database;
    private final Map<String, String> settings;
    private final boolean keepDataDir;
    private final boolean portChosenByCaller;
    private final Duration startTimeout;
    private final ServerUser serverUser = ServerUser.current();
    private final org.postgresql.Driver pgDriver = new org.postgresql.Driver();

    private final ReentrantLock lock = new ReentrantLock();
    private int port;
    private volatile Process postmaster; // volatile only for the shutdown hook
    private boolean paused;
    private boolean initialized;
    private boolean databaseCreated;
    private boolean closed;
    private Connection admin;
    private ScheduledExecutorService resumeTimer;
    private Thread resumeThread;
    private ScheduledFuture<?> pendingResume;
    private Thread shutdownHook;
    private Duration initDbDuration = Duration.ZERO;
    private Duration lastStartDuration = Duration.ZERO;

    private PgServer(Builder builder, Path binDir, Path instanceDir) {
        this.binDir = binDir;
        this.instanceDir = instanceDir;
        this.dataDir = instanceDir.resolve("data");
        this.logFile = instanceDir.resolve("postgres.log");
        this.database = builder.database;
        this.settings = Collections.unmodifiableMap(builder.serverSettings());
        this.keepDataDir = builder.keepDataDir;
        this.port = builder.port;
        this.portChosenByCaller = builder.port != 0;
        this.startTimeout = builder.startTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts the server and returns once it answers {@code SELECT 1} in {@link #database()}. The first
     * start runs initdb and creates the database. A no-op when running; resumes a paused server.
     */
    public PgServer start() {
        lock.lock();
        try {
            ensureOpen();
            if (isAlive()) {
                cancelPendingResume();
                resumeLocked();
                return this;
            }
            long begin = System.nanoTime();
            if (!initialized) {
                initDb();
                initialized = true;
            }
            launchWithPortRetries();
            createDatabaseIfMissing();
            lastStartDuration = Duration.ofNanos(System.nanoTime() - begin);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Brings the server back to a usable state whatever an earlier test left: resumes it if paused, starts it if stopped. */
    public void ensureRunning() {
        start();
    }

    /** Fast shutdown (SIGINT): sessions are ended, a shutdown checkpoint is written. Waits for every server process to exit. */
    public void stopFast() {
        lock.lock();
        try {
            stopLocked("INT");
        } finally {
            lock.unlock();
        }
    }

    /** Immediate shutdown (SIGQUIT): no checkpoint, the next start runs crash recovery. Waits for every server process to exit. */
    public void stopImmediate() {
        lock.lock();
        try {
            stopLocked("QUIT");
        } finally {
            lock.unlock();
        }
    }

    /**
     * kill -9 of the postmaster and all its children at once, as a machine failure would look to the
     * database; then removes the stale {@code postmaster.pid}. The postmaster is stopped (SIGSTOP) first
     * so it cannot fork a backend we would miss.
     */
    public void crash() {
        lock.lock();
        try {
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while crashing the server", e);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #stopFast()} then {@link #start()}, same port and data. */
    public void restart() {
        lock.lock();
        try {
            stopFast();
            start();
        } finally {
            lock.unlock();
        }
    }

    /** {@link #crash()} then {@link #start()} (which runs crash recovery), same port and data. */
    public void crashRestart() {
        lock.lock();
        try {
            crash();
            start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * SIGSTOP to the postmaster: new connections are accepted by the kernel but never answered, while
     * backends that already exist keep serving their sessions. Lasts until {@link #resume()}.
     */
    public void pause() {
        lock.lock();
        try {
            requireRunning();
            cancelPendingResume();
            if (!paused) {
                if (!OsProcesses.signal("STOP", postmaster.pid())) {
                    throw new IllegalStateException("could not SIGSTOP postmaster " + postmaster.pid());
                }
                paused = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #pause()}, and {@link #resume()} on its own after {@code duration} (on a daemon timer this server owns). */
    public void pause(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        lock.lock();
        try {
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
            pendingResume = resumeTimer.schedule(this::resumeQuietly, duration.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    /** SIGCONT to a paused postmaster; connections that were waiting are then served. */
    public void resume() {
        lock.lock();
        try {
            cancelPendingResume();
            resumeLocked();
        } finally {
            lock.unlock();
        }
    }

    public boolean isPaused() {
        lock.lock();
        try {
            return paused && isAlive();
        } finally {
            lock.unlock();
        }
    }

    /** The postmaster process is alive (paused counts as running). */
    public boolean isRunning() {
        lock.lock();
        try {
            return isAlive();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the server if it runs (fast, then by force), kills anything left and deletes the instance
     * directory unless asked to keep it. Idempotent.
     */
    @Override
    public void close() {
        ScheduledExecutorService timer;
        Thread timerThread;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
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
        lock.lock();
        try {
            try {
                stopLocked("INT");
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
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + instanceDir, e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- backends

    /** {@code pg_terminate_backend(pid)}, waiting up to 5 s for the backend to exit. */
    public boolean terminateBackend(int pid) {
        return withAdmin(connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /**
     * Terminates every client backend except the admin connection's own and waits for each to exit.
     * Clients see SQLState {@code 57P01} on their next use of the connection.
     *
     * @return how many backends were terminated
     */
    public int terminateAllClientBackends() {
        return withAdmin(connection -> {
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                         + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** PIDs of client backends, not counting the admin connection. */
    public List<Integer> clientBackendPids() {
        return withAdmin(connection -> {
            List<Integer> pids = new ArrayList<>();
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity"
                         + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid")) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
            return pids;
        });
    }

    public int clientBackendCount() {
        return clientBackendPids().size();
    }

    /** A new plain PostgreSQL JDBC connection (no resilience) as {@link #user()} to {@link #database()}. */
    public Connection connect() throws SQLException {
        return connect(new Properties());
    }

    /** As {@link #connect()}, with extra driver properties (e.g. {@code connectTimeout}, {@code socketTimeout}). */
    public Connection connect(Properties extra) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.putAll(extra);
        return pgDriver.connect(jdbcUrl(), props);
    }

    // ---------------------------------------------------------------- facts

    public String host() {
        return HOST;
    }

    /** The TCP port; fixed at the first start and kept across restarts. 0 before the first start when not chosen. */
    public int port() {
        lock.lock();
        try {
            return port;
        } finally {
            lock.unlock();
        }
    }

    public String database() {
        return database;
    }

    public String user() {
        return USER;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    /** The {@code -c} settings the postmaster is started with, in order. */
    public Map<String, String> settings() {
        return settings;
    }

    /** @throws IllegalStateException when the server is not running */
    public long postmasterPid() {
        lock.lock();
        try {
            requireRunning();
            return postmaster.pid();
        } finally {
            lock.unlock();
        }
    }

    /** Time the one-off initdb took (zero before the first start). */
    public Duration initDbDuration() {
        lock.lock();
        try {
            return initDbDuration;
        } finally {
            lock.unlock();
        }
    }

    /** Time the last {@link #start()} took until the server answered queries (including initdb on the first start). */
    public Duration lastStartDuration() {
        lock.lock();
        try {
            return lastStartDuration;
        } finally {
            lock.unlock();
        }
    }

    /** The last {@code lines} lines of the server log. */
    public String logTail(int lines) {
        return FileTrees.tail(logFile, lines);
    }

    @Override
    public String toString() {
        return "PgServer[" + jdbcUrl() + ", data=" + dataDir + "]";
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
                "-D", dataDir.toString(), "-A", "trust", "-U", USER, "-E", "UTF8", "--locale=C", "-N"));
        Process initdb = newProcess(command).start();
        try {
            if (!initdb.waitFor(2, TimeUnit.MINUTES)) {
                initdb.destroyForcibly();
                throw new IllegalStateException("initdb did not finish within 2 minutes; log tail:\n" + logTail(LOG_TAIL_LINES));
            }
        } catch (InterruptedException e) {
            initdb.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during initdb", e);
        }
        if (initdb.exitValue() != 0) {
            throw new IllegalStateException("initdb failed with exit code " + initdb.exitValue() + "; log tail:\n" + logTail(LOG_TAIL_LINES));
        }
        initDbDuration = Duration.ofNanos(System.nanoTime() - begin);
    }

    private void launchWithPortRetries() throws IOException {
        boolean firstStart = port == 0;
        for (int attempt = 1; ; attempt++) {
            if (firstStart) {
                port = freePort();
            }
            try {
                launch();
                return;
            } catch (PortTakenException taken) {
                // A port found free a moment ago was taken by someone else; only a port we chose may change.
                if (!firstStart || portChosenByCaller || attempt >= PORT_ATTEMPTS) {
                    throw new IllegalStateException(taken.getMessage());
                }
            }
        }
    }

    private void launch() throws IOException {
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
                throw new IllegalStateException("postgres exited with code " + exit + " during start-up; log tail:\n"
                        + logTail(LOG_TAIL_LINES));
            }
            try (Connection probe = probeConnection(databaseCreated ? database : "postgres");
                 Statement st = probe.createStatement()) {
                st.execute("SELECT 1");
                return;
            } catch (SQLException notYet) {
                last = notYet;
            }
            if (System.nanoTime() > deadline) {
                IllegalStateException failure = new IllegalStateException("postgres did not accept connections on " + HOST + ":" + port
                        + " within " + startTimeout + "; log tail:\n" + logTail(LOG_TAIL_LINES));
                failure.addSuppressed(last);
                killEverything();
                throw failure;
            }
            sleep(POLL_INTERVAL);
        }
    }

    private void createDatabaseIfMissing() {
        if (databaseCreated) {
            return;
        }
        try (Connection connection = probeConnection("postgres")) {
            boolean exists;
            try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement st = connection.createStatement()) {
                    st.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
                }
            }
            databaseCreated = true;
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database + "; log tail:\n" + logTail(LOG_TAIL_LINES), e);
        }
    }

    private Connection probeConnection(String db) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "10");
        props.setProperty("ApplicationName", ADMIN_APPLICATION_NAME);
        Connection connection = pgDriver.connect("jdbc:postgresql://" + HOST + ":" + port + "/" + db, props);
        if (connection == null) {
            throw new SQLException("the PostgreSQL driver rejected its own URL");
        }
        return connection;
    }

    private interface AdminWork<T> {
        T run(Connection admin) throws SQLException;
    }

    // One retry on a fresh admin connection: the old one may have died in a restart this object did not see.
    private <T> T withAdmin(AdminWork<T> work) {
        lock.lock();
        try {
            requireRunning();
            SQLException first = null;
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    if (admin == null || admin.isClosed()) {
                        admin = probeConnection(database);
                    }
                    return work.run(admin);
                } catch (SQLException e) {
                    closeAdmin();
                    if (!isConnectionFailure(e)) {
                        throw new IllegalStateException("admin query on " + jdbcUrl() + " failed", e);
                    }
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            throw new IllegalStateException("admin query on " + jdbcUrl() + " failed", first);
        } finally {
            lock.unlock();
        }
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    private void closeAdmin() {
        if (admin != null) {
            try {
                admin.close();
            } catch (SQLException ignored) {
                // the session is gone either way
            }
            admin = null;
        }
    }

    private void stopLocked(String signal) {
        if (!isAlive()) {
            afterExit();
            return;
        }
        cancelPendingResume();
        closeAdmin();
        resumeLocked();
        List<Long> children = descendantPids();
        OsProcesses.signal(signal, postmaster.pid());
        if (!awaitExit(postmaster, STOP_TIMEOUT)) {
            killEverything();
            throw new IllegalStateException("postgres did not stop on SIG" + signal + " within " + STOP_TIMEOUT
                    + " and was killed; log tail:\n" + logTail(LOG_TAIL_LINES));
        }
        try {
            List<Long> survivors = OsProcesses.awaitDeath(children, STOP_TIMEOUT);
            survivors.forEach(OsProcesses::killForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        afterExit();
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
        closeAdmin();
        paused = false;
    }

    private void resumeLocked() {
        if (paused && isAlive()) {
            OsProcesses.signal("CONT", postmaster.pid());
        }
        paused = false;
    }

    private void resumeQuietly() {
        lock.lock();
        try {
            pendingResume = null;
            resumeLocked();
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

    private boolean isAlive() {
        return postmaster != null && postmaster.isAlive();
    }

    private void requireRunning() {
        ensureOpen();
        if (!isAlive()) {
            throw new IllegalStateException("server is not running: " + this);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("server is closed: " + this);
        }
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
            return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
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

    // ---------------------------------------------------------------- builder

    /** Settings for a {@link PgServer}; nothing happens until {@link #build()} or {@link #start()}. */
    public static final class Builder {

        private Path baseDir = Path.of("target", "embedded-pg");
        private String database = "test";
        private int port;
        private boolean crashSafe;
        private int maxConnections = 100;
        private String sharedBuffers = "16MB";
        private boolean keepDataDir;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> extraSettings = new LinkedHashMap<>();

        private Builder() {
        }

        /** Parent of the instance directory; default {@code target/embedded-pg} under the working directory. */
        public Builder baseDir(Path baseDir) {
            this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
            return this;
        }

        /** Database to create and connect to; default {@code test}. */
        public Builder database(String database) {
            if (database == null || database.isEmpty()) {
                throw new IllegalArgumentException("database name must not be empty");
            }
            this.database = database;
            return this;
        }

        /** Fixed TCP port; default 0 = a free port chosen at the first start (and kept afterwards). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on: acknowledged commits survive a crash. */
        public Builder crashSafe(boolean crashSafe) {
            this.crashSafe = crashSafe;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /** {@code shared_buffers}, e.g. {@code 16MB} (the default). */
        public Builder sharedBuffers(String sharedBuffers) {
            this.sharedBuffers = Objects.requireNonNull(sharedBuffers, "sharedBuffers");
            return this;
        }

        /** Any server setting, passed as {@code -c key=value}; overrides the builder's own choices. */
        public Builder setting(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            extraSettings.put(key, value);
            return this;
        }

        /** Keep the instance directory (data and log) after {@link PgServer#close()}; default false. */
        public Builder keepDataDir(boolean keepDataDir) {
            this.keepDataDir = keepDataDir;
            return this;
        }

        /** How long {@link PgServer#start()} waits for the server to answer; default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
            return this;
        }

        /** Unpacks the binaries if needed and creates the instance directory; does not start anything. */
        public PgServer build() {
            try {
                Path binaries = PgBinaries.installation();
                Path base = baseDir.toAbsolutePath().normalize();
                Files.createDirectories(base);
                Path instance = Files.createTempDirectory(base, "pg-");
                // createTempDirectory makes it 0700; the server's user must be able to pass through.
                Files.setPosixFilePermissions(instance, PosixFilePermissions.fromString("rwxr-xr-x"));
                return new PgServer(this, binaries, instance);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** {@link #build()} then {@link PgServer#start()}. */
        public PgServer start() {
            PgServer server = build();
            try {
                return server.start();
            } catch (RuntimeException e) {
                try {
                    server.close();
                } catch (RuntimeException closeFailed) {
                    e.addSuppressed(closeFailed);
                }
                throw e;
            }
        }

        Map<String, String> serverSettings() {
            Map<String, String> s = new LinkedHashMap<>();
            s.put("listen_addresses", HOST);
            s.put("unix_socket_directories", "");
            s.put("max_connections", Integer.toString(maxConnections));
            s.put("shared_buffers", sharedBuffers);
            s.put("fsync", crashSafe ? "on" : "off");
            s.put("synchronous_commit", crashSafe ? "on" : "off");
            s.put("full_page_writes", crashSafe ? "on" : "off");
            s.put("huge_pages", "off");
            s.put("jit", "off");
            s.put("logging_collector", "off");
            s.put("log_destination", "stderr");
            s.putAll(extraSettings);
            return s;
        }
    }
}
