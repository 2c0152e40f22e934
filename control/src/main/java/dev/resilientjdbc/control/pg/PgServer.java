package dev.resilientjdbc.control.pg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

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
 *
 * <p>A facade: {@link PgProcess} is the server as an operating-system process (signals, port, log,
 * shutdown hook), {@link PgAdmin} its SQL side (probe, database, admin queries); this class holds the
 * one lock both run under, and the public API.
 */
public final class PgServer implements AutoCloseable {

    private final String database;
    private final ReentrantLock lock = new ReentrantLock();
    private final PgAdmin admin;
    private final PgProcess process;
    private boolean closed;
    private Duration lastStartDuration = Duration.ZERO;

    private PgServer(Builder builder, Path binDir, Path instanceDir) {
        this.database = builder.database;
        // The port is the process's, fixed at its first start; the admin side reads it when it connects.
        this.admin = new PgAdmin(this::port, database);
        this.process = new PgProcess(binDir, instanceDir, Collections.unmodifiableMap(builder.serverSettings()), builder.port,
                builder.keepDataDir, builder.startTimeout, lock, admin::close);
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
        return locked(() -> {
            ensureOpen();
            if (process.isAlive()) {
                process.resume();
                return this;
            }
            long begin = System.nanoTime();
            try {
                process.start(admin::ping);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                admin.createDatabaseIfMissing();
            } catch (SQLException e) {
                throw new IllegalStateException("could not create database " + database + "; log tail:\n" + process.logTail(), e);
            }
            lastStartDuration = Duration.ofNanos(System.nanoTime() - begin);
            return this;
        });
    }

    /** Brings the server back to a usable state whatever an earlier test left: resumes it if paused, starts it if stopped. */
    public void ensureRunning() {
        start();
    }

    /** Fast shutdown (SIGINT): sessions are ended, a shutdown checkpoint is written. Waits for every server process to exit. */
    public void stopFast() {
        lockedRun(() -> process.stop("INT"));
    }

    /** Immediate shutdown (SIGQUIT): no checkpoint, the next start runs crash recovery. Waits for every server process to exit. */
    public void stopImmediate() {
        lockedRun(() -> process.stop("QUIT"));
    }

    /**
     * kill -9 of the postmaster and all its children at once, as a machine failure would look to the
     * database; then removes the stale {@code postmaster.pid}. The postmaster is stopped (SIGSTOP) first
     * so it cannot fork a backend we would miss.
     */
    public void crash() {
        lockedRun(this::crashLocked);
    }

    /** {@link #stopFast()} then {@link #start()}, same port and data. */
    public void restart() {
        lockedRun(() -> {
            stopFast();
            start();
        });
    }

    /** {@link #crash()} then {@link #start()} (which runs crash recovery), same port and data. */
    public void crashRestart() {
        lockedRun(() -> {
            crash();
            start();
        });
    }

    /**
     * SIGSTOP to the postmaster: new connections are accepted by the kernel but never answered, while
     * backends that already exist keep serving their sessions. Lasts until {@link #resume()}.
     */
    public void pause() {
        lockedRun(() -> {
            requireRunning();
            process.pause();
        });
    }

    /** {@link #pause()}, and {@link #resume()} on its own after {@code duration} (on a daemon timer this server owns). */
    public void pause(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        lockedRun(() -> {
            requireRunning();
            process.pause(duration);
        });
    }

    /**
     * SIGSTOP to the postmaster and all its backends: a frozen host. Sockets stay open, the kernel
     * still accepts connections, nothing answers. Lasts until {@link #resume()}, which continues them all.
     */
    public void freeze() {
        lockedRun(() -> {
            requireRunning();
            process.freeze();
        });
    }

    /** SIGCONT to a paused postmaster; connections that were waiting are then served. */
    public void resume() {
        lockedRun(process::resume);
    }

    public boolean isPaused() {
        return locked(process::isPaused);
    }

    /** The postmaster process is alive (paused counts as running). */
    public boolean isRunning() {
        return locked(process::isAlive);
    }

    /**
     * Stops the server if it runs (fast, then by force), kills anything left and deletes the instance
     * directory unless asked to keep it. Idempotent.
     */
    @Override
    public void close() {
        boolean first = locked(() -> {
            boolean wasOpen = !closed;
            closed = true;
            return wasOpen;
        });
        if (!first) {
            return;
        }
        // Outside the lock: a timed resume waiting for it must be able to finish.
        process.shutDownTimer();
        lockedRun(() -> {
            try {
                process.destroy();
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete the instance directory of " + this, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while crashing the server", e);
            }
        });
    }

    // ---------------------------------------------------------------- backends

    /** {@code pg_terminate_backend(pid)}, waiting up to 5 s for the backend to exit. */
    public boolean terminateBackend(int pid) {
        return withAdmin(() -> admin.terminateBackend(pid));
    }

    /**
     * Terminates every client backend except the admin connection's own and waits for each to exit.
     * Clients see SQLState {@code 57P01} on their next use of the connection.
     *
     * @return how many backends were terminated
     */
    public int terminateAllClientBackends() {
        return withAdmin(admin::terminateAllClientBackends);
    }

    /** PIDs of client backends, not counting the admin connection. */
    public List<Integer> clientBackendPids() {
        return withAdmin(admin::clientBackendPids);
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
        return admin.connect(extra);
    }

    // ---------------------------------------------------------------- facts

    public String host() {
        return PgProcess.HOST;
    }

    /** The TCP port; fixed at the first start and kept across restarts. 0 before the first start when not chosen. */
    public int port() {
        return locked(process::port);
    }

    public String database() {
        return database;
    }

    public String user() {
        return PgAdmin.USER;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl() {
        return admin.url(database);
    }

    public Path dataDir() {
        return process.dataDir();
    }

    public Path logFile() {
        return process.logFile();
    }

    /** The {@code -c} settings the postmaster is started with, in order. */
    public Map<String, String> settings() {
        return process.settings();
    }

    /** @throws IllegalStateException when the server is not running */
    public long postmasterPid() {
        return locked(() -> {
            requireRunning();
            return process.pid();
        });
    }

    /** Time the one-off initdb took (zero before the first start). */
    public Duration initDbDuration() {
        return locked(process::initDbDuration);
    }

    /** Time the last {@link #start()} took until the server answered queries (including initdb on the first start). */
    public Duration lastStartDuration() {
        return locked(() -> lastStartDuration);
    }

    /** The last {@code lines} lines of the server log. */
    public String logTail(int lines) {
        return FileTrees.tail(process.logFile(), lines);
    }

    @Override
    public String toString() {
        return "PgServer[" + jdbcUrl() + ", data=" + dataDir() + "]";
    }

    // ---------------------------------------------------------------- internals

    private void crashLocked() {
        try {
            process.crash();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while crashing the server", e);
        }
    }

    private <T> T withAdmin(Supplier<T> query) {
        return locked(() -> {
            requireRunning();
            return query.get();
        });
    }

    private <T> T locked(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    private void lockedRun(Runnable work) {
        lock.lock();
        try {
            work.run();
        } finally {
            lock.unlock();
        }
    }

    private void requireRunning() {
        ensureOpen();
        if (!process.isAlive()) {
            throw new IllegalStateException("server is not running: " + this);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("server is closed: " + this);
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
            s.put("listen_addresses", PgProcess.HOST);
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
