package dev.resilientjdbc.target;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.health.TargetHealth;
import dev.resilientjdbc.metrics.MetricsTracker;
import dev.resilientjdbc.metrics.PendingCalls;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.metrics.ResilientMetrics;
import dev.resilientjdbc.metrics.TargetMeters;
import dev.resilientjdbc.pool.PoolSettings;
import dev.resilientjdbc.pool.Pools;
import dev.resilientjdbc.retry.TargetGuard;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything one target's connections share, and its one owner: breaker and counters (the guard),
 * its pools, its metrics in a registry, its health checks. Made by a {@link TargetRegistry};
 * {@link #close()} tears down all of it. Lookups on the connect path are volatile reads; the lock
 * is taken only to create or close something.
 */
public final class Target implements AutoCloseable {
    private final TargetRegistry owner;
    private final TargetGuard guard;
    private final String name;
    private final ConcurrentHashMap<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile MetricsTracker metrics;
    // The Micrometer binding (see TargetMeters): where it publishes, and the handle that removes its meters.
    private volatile TargetMeters metersTo;
    private TargetMeters.Bound meters; // guarded by lock
    private volatile TargetHealth health;
    // The database's in-doubt support for the target's connections (the commit marker table's state, its warning said
    // once), one per marker table setting: every recipe of the target shares it.
    private final ConcurrentHashMap<String, dev.resilientjdbc.dialect.InDoubt> inDoubt = new ConcurrentHashMap<>();
    // What else the target owns and closes with it (the SQLite backup scheduler's handle), by name.
    private final ConcurrentHashMap<String, AutoCloseable> attached = new ConcurrentHashMap<>();
    private volatile boolean closed;
    // Resilient connections of this target the application holds now (see TargetRegistry.connectionOpened).
    final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();
    // Run once per connection when the application closes it; one object per target, none per connect.
    final Runnable connectionClosed;

    Target(TargetRegistry owner, TargetGuard guard, String name) {
        this.owner = owner;
        this.connectionClosed = () -> owner.connectionClosed(this);
        this.guard = guard;
        this.name = name;
    }

    public TargetGuard guard() {
        return guard;
    }

    /** The name the target's metrics and health checks go under; unique in its registry, never with a secret. */
    public String name() {
        return name;
    }

    /** The target's in-doubt support for {@code key} (the marker table, "" for none), made by {@code make} on first need. */
    public dev.resilientjdbc.dialect.InDoubt inDoubt(String key,
                                                     java.util.function.Function<String, dev.resilientjdbc.dialect.InDoubt> make) {
        return inDoubt.computeIfAbsent(key, make);
    }

    public boolean isClosed() {
        return closed;
    }

    /** The metrics bound by {@link #metrics}, or null while none are. */
    public MetricsTracker boundMetrics() {
        return metrics;
    }

    /** Whether {@link #pool} has made the pool of {@code key}: a connect then needs no registry to give it. */
    public boolean hasPool(String key) {
        return pools.get(key) != null;
    }

    /** The target's metrics in {@code registry}, registered on first use. */
    public MetricsTracker metrics(MetricRegistry registry) throws SQLException {
        MetricsTracker m = metrics;
        if (m != null) {
            return m;
        }
        lock.lock();
        try {
            checkOpen();
            if (metrics == null) {
                metrics = ResilientMetrics.bind(guard, name, registry);
            }
            return metrics;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes the target's metrics through {@code to} (the Micrometer binding) from now on, removing
     * what an earlier, different one registered; null removes it. One volatile read when it is unchanged;
     * nothing on a closed target.
     */
    public void meters(TargetMeters to) {
        if (java.util.Objects.equals(metersTo, to)) {
            return;
        }
        lock.lock();
        try {
            if (closed || java.util.Objects.equals(metersTo, to)) {
                return;
            }
            closeMeters();
            if (to != null) {
                meters = to.bind(guard, name);
            }
            metersTo = to;
        } finally {
            lock.unlock();
        }
    }

    // Under lock.
    private void closeMeters() {
        if (meters != null) {
            meters.close();
            meters = null;
        }
        metersTo = null;
    }

    /** The pool under {@code key} ({@link Pools#keyOf}), made on first use; connections come from {@code opener}. */
    public HikariDataSource pool(String key, dev.resilientjdbc.connection.PhysicalOpener opener, PoolSettings settings, String targetName,
                                 MetricRegistry hikariMetrics) throws SQLException {
        HikariDataSource existing = pools.get(key);
        if (existing != null) {
            return existing;
        }
        lock.lock();
        try {
            checkOpen();
            HikariDataSource pool = pools.get(key);
            if (pool == null) {
                owner.poolOpening();
                pool = Pools.create(opener, settings, targetName, hikariMetrics);
                pools.put(key, pool);
            }
            return pool;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether this call is the target's first to ask (true once) while its health checks are not registered yet: that
     * caller may {@link #startAside} its metrics and health. False for a target a pooled connect already set up.
     */
    public boolean firstStart() {
        return health == null && !startClaimed.getAndSet(true);
    }

    private final java.util.concurrent.atomic.AtomicBoolean startClaimed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * What the target's first connect makes besides its connection — its metrics in the registry {@code registryName}
     * names ({@link ResilientMetrics#registry}; null: metrics disabled) and its health checks — made on a short-lived thread of its own while the caller opens the
     * physical connection, which is most of a first connect's time (loading and initialising the metrics and
     * health libraries is some 40 ms of a cold JVM's first connect). The caller must {@link Start#join} before it hands the
     * connection out, so that both exist once the connect returns or fails, as when they were made first. Calls
     * timed meanwhile (the connect itself) are kept and counted once the metrics exist ({@link PendingCalls}).
     */
    public Start startAside(String registryName, TargetHealth.Probe probe, TargetHealth.HealthSettings settings) {
        PendingCalls pending = null;
        if (registryName != null) {
            lock.lock();
            try {
                if (metrics == null && !closed) {
                    pending = new PendingCalls();
                    guard.observer(pending);
                }
            } finally {
                lock.unlock();
            }
        }
        Start start = new Start(this, registryName, probe, settings, pending);
        Thread t = new Thread(start, "resilient-jdbc-start");
        t.setDaemon(true);
        start.thread = t;
        t.start();
        return start;
    }

    /** The metrics and health checks of a target's first connect, being made aside ({@link #startAside}). */
    public static final class Start implements Runnable {
        private final Target target;
        private final String registryName;
        private final TargetHealth.Probe probe;
        private final TargetHealth.HealthSettings settings;
        private final PendingCalls pending;
        private Thread thread;
        private volatile Throwable failure;

        private Start(Target target, String registryName, TargetHealth.Probe probe, TargetHealth.HealthSettings settings,
                      PendingCalls pending) {
            this.target = target;
            this.registryName = registryName;
            this.probe = probe;
            this.settings = settings;
            this.pending = pending;
        }

        @Override
        public void run() {
            try {
                if (registryName != null) {
                    MetricsTracker m = target.metrics(ResilientMetrics.registry(registryName));
                    if (pending != null) {
                        pending.deliverTo(m.observer());
                    }
                }
                target.watch(probe, null, settings);
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (pending != null && failure != null) {
                    pending.deliverTo(CallObserver.NONE); // nothing to count into: let the kept calls go
                }
            }
        }

        /**
         * Waits for the metrics and health checks; throws what making them threw (a closed target's 08003), as
         * the connect did when it made them itself. An interrupt is kept for the caller, not lost.
         */
        public void join() throws SQLException {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable e = failure;
            if (e instanceof SQLException) {
                throw (SQLException) e;
            } else if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            } else if (e instanceof Error) {
                throw (Error) e;
            } else if (e != null) {
                throw new SQLException(e);
            }
        }
    }

    /** Registers the target's health checks once. */
    public void watch(TargetHealth.Probe probe, HikariDataSource pool, TargetHealth.HealthSettings settings) throws SQLException {
        if (health != null) {
            return;
        }
        lock.lock();
        try {
            checkOpen();
            if (health == null) {
                health = TargetHealth.register(guard, name, probe, pool, settings, metrics);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Something the target owns from now on and closes with it, made once under {@code key}. */
    public interface Attachment {
        AutoCloseable open() throws SQLException;
    }

    /** Makes and keeps {@code make}'s result once under {@code key}; a lookup after that. */
    public void attachOnce(String key, Attachment make) throws SQLException {
        if (attached.containsKey(key)) {
            return;
        }
        lock.lock();
        try {
            checkOpen();
            if (!attached.containsKey(key)) {
                attached.put(key, make.open());
            }
        } finally {
            lock.unlock();
        }
    }

    /** The pools open now. */
    public List<HikariDataSource> pools() {
        return List.copyOf(pools.values());
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("resilient-jdbc: the target " + guard.name() + " was closed (the driver was deregistered"
                    + " or its targets closed); connect again", "08003");
        }
    }

    /** Closes the pools, removes the metrics and health checks; the guard's counters are gone with it. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (health != null) {
                health.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            closeMeters();
            for (HikariDataSource pool : pools.values()) {
                pool.close();
            }
            pools.clear();
            for (AutoCloseable a : attached.values()) {
                try {
                    a.close();
                } catch (Exception e) {
                    java.util.logging.Logger.getLogger("dev.resilientjdbc").warning("resilient-jdbc: closing " + a + " of " + this
                            + " failed: " + e);
                }
            }
            attached.clear();
            owner.release(this);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "target " + name + " (" + guard.name() + ")";
    }
}
