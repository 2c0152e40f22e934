package dev.resilientjdbc.target;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.health.HealthEndpoint;
import dev.resilientjdbc.metrics.ResilientMetrics;
import dev.resilientjdbc.retry.RetrySettings;
import dev.resilientjdbc.retry.TargetGuard;
import dev.resilientjdbc.util.OwnedScheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The targets of one owner — the driver, or the java agent — and everything they started: pools,
 * metrics, health checks, the JMX reporter, the HTTP endpoint, the shutdown hook that closes pools
 * when the JVM exits, the thread that notices when an incident is over. {@link #close()} tears all of it down (the driver calls it on deregistration,
 * so an undeployed web application leaves nothing behind); the registry can be used again afterwards.
 */
public final class TargetRegistry implements AutoCloseable {
    private final ConcurrentHashMap<String, Target> targets = new ConcurrentHashMap<>();
    // Names in use for metrics and health checks: a second target on the same host and database gets name_2.
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private Thread shutdownHook; // guarded by lock
    private boolean jmxStarted;  // guarded by lock
    private volatile boolean httpStarted; // written under lock
    // Written under lock; volatile so that closing a target's last connection (every borrow and return of a
    // one-connection application) can see without the lock that no incident is being watched.
    private volatile OwnedScheduler incidentWatch;

    /**
     * The target of {@code targetName} (real URL and user, no secret) for connections with these retry
     * settings; connections with other breaker settings get a target, and a breaker, of their own.
     * {@code baseName} is what its metrics and health checks are named after (host, port, database).
     */
    public Target target(String targetName, RetrySettings settings, String baseName) {
        String key = TargetGuard.key(targetName, settings);
        Target known = targets.get(key);
        if (known != null) {
            return known;
        }
        return targets.computeIfAbsent(key, k -> {
            TargetGuard guard = new TargetGuard(targetName, settings);
            guard.onIncident(this::watchIncidents);
            return new Target(this, guard, uniqueName(baseName));
        });
    }

    /**
     * An incident began on one of the targets: one named daemon thread asks every target every few
     * seconds whether its incident is over (a quiet minute), so that its end is said in one line even
     * when nothing else happens. The thread ends when no incident is open, and with {@link #close()}.
     */
    private void watchIncidents() {
        lock.lock();
        try {
            if (incidentWatch == null) {
                incidentWatch = new OwnedScheduler("resilient-incidents");
                incidentWatch.everyMillis(this::incidentsOverIfQuiet, 5_000, 5_000);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The watching thread's check: ends each quiet incident, and the thread itself when none is left open. */
    void incidentsOverIfQuiet() {
        lock.lock();
        try {
            OwnedScheduler stopped = endQuietIncidents();
            if (stopped != null) {
                stopped.finishAfterThisRun();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: ends each quiet incident; when none is left open, detaches the watcher and returns it to be stopped. */
    private OwnedScheduler endQuietIncidents() {
        boolean open = false;
        for (Target t : targets.values()) {
            open |= t.guard().incidentOverIfQuiet(System.nanoTime(), false);
        }
        OwnedScheduler watch = incidentWatch;
        if (open || watch == null) {
            return null;
        }
        incidentWatch = null;
        return watch;
    }

    /**
     * A resilient connection of {@code target} was handed to the application; the returned hook runs
     * when it closes. When the target's last one closes (an application shutting down its pool), its open
     * incident ends at once with its line — nothing is left to reconnect — and the watching thread stops
     * when no other incident is open: nothing of ours outlives the application's connections.
     */
    public Runnable connectionOpened(Target target) {
        target.openConnections.incrementAndGet();
        return target.connectionClosed;
    }

    void connectionClosed(Target target) {
        if (target.openConnections.decrementAndGet() > 0 || incidentWatch == null) {
            return; // the application still holds connections of the target, or no incident is being watched
        }
        OwnedScheduler stopped;
        lock.lock();
        try {
            if (target.openConnections.get() > 0 || incidentWatch == null) {
                return; // reopened meanwhile, or no incident is being watched
            }
            target.guard().incidentOverIfQuiet(System.nanoTime(), true);
            stopped = endQuietIncidents();
        } finally {
            lock.unlock();
        }
        if (stopped != null) {
            stopQuietly(stopped); // outside the lock: a check in progress takes it
        }
    }

    private String uniqueName(String base) {
        String name = base;
        for (int n = 2; !names.add(name); n++) {
            name = base + "_" + n;
        }
        return name;
    }

    void release(Target t) {
        targets.values().remove(t);
        names.remove(t.name());
    }

    /** Every open target. */
    public List<Target> targets() {
        return List.copyOf(targets.values());
    }

    /** The guards of every open target (breaker state and counters). */
    public List<TargetGuard> guards() {
        List<TargetGuard> out = new ArrayList<>();
        targets.values().forEach(t -> out.add(t.guard()));
        return out;
    }

    /** The guards whose target name contains {@code fragment} (for example a host:port). */
    public List<TargetGuard> matching(String fragment) {
        List<TargetGuard> out = new ArrayList<>();
        for (Target t : targets.values()) {
            if (t.guard().name().contains(fragment)) {
                out.add(t.guard());
            }
        }
        return out;
    }

    /** The pools open now, by pool name. */
    public Map<String, HikariDataSource> pools() {
        Map<String, HikariDataSource> out = new TreeMap<>();
        targets.values().forEach(t -> t.pools().forEach(p -> out.put(p.getPoolName(), p)));
        return out;
    }

    /** Starts the JMX reporter for {@code registry} (one per JVM; see {@link ResilientMetrics#startJmx}). */
    public void startJmx(MetricRegistry registry) {
        lock.lock();
        try {
            if (!jmxStarted) {
                ResilientMetrics.startJmx(registry);
                jmxStarted = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Starts the HTTP endpoint (one per JVM) reporting {@code metrics} and this registry's targets. */
    public void startHttp(String bind, int port, String token, MetricRegistry metrics) {
        if (httpStarted && HealthEndpoint.port() >= 0) {
            return;
        }
        lock.lock();
        try {
            if (!httpStarted || HealthEndpoint.port() < 0) {
                HealthEndpoint.start(bind, port, token, metrics, this::guards);
                httpStarted = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A pool is about to open: pools must close when the JVM exits, so the hook is in place first. */
    void poolOpening() {
        lock.lock();
        try {
            if (shutdownHook == null) {
                Thread hook = new Thread(this::closePools, "resilient-pool-shutdown");
                hook.setDaemon(true);
                Runtime.getRuntime().addShutdownHook(hook);
                shutdownHook = hook;
            }
        } finally {
            lock.unlock();
        }
    }

    private static void stopQuietly(OwnedScheduler s) {
        try {
            s.stop(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closePools() {
        targets.values().forEach(Target::close);
    }

    /** Closes every target (pools, metrics, health checks) and stops what this registry started. */
    @Override
    public void close() {
        lock.lock();
        try {
            for (Target t : List.copyOf(targets.values())) {
                t.close();
            }
            targets.clear();
            names.clear();
            if (jmxStarted) {
                ResilientMetrics.stopJmx();
                jmxStarted = false;
            }
            if (httpStarted) {
                HealthEndpoint.stop();
                httpStarted = false;
            }
            if (incidentWatch != null) {
                stopQuietly(incidentWatch);
                incidentWatch = null;
            }
            if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the JVM is on its way out; the hook is running or ran
                }
            }
            shutdownHook = null;
        } finally {
            lock.unlock();
        }
    }
}
