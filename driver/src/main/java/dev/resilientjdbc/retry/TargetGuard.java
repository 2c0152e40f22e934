package dev.resilientjdbc.retry;

import dev.failsafe.CircuitBreaker;
import dev.resilientjdbc.classify.FailureClass;

import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What all connections to one target share: its circuit breaker and its counters. A target is the
 * real URL and user; the name used in logs never contains a secret. Made and owned by the target
 * registry ({@code dev.resilientjdbc.target}), which shares one guard among connections with the same
 * target and breaker settings.
 */
public final class TargetGuard {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.retry");

    private final String name;
    private final RetryStats stats = new RetryStats();
    private final ReplayTurns replayTurns = new ReplayTurns();
    private final RetrySettings settings;
    private final FullServerTurns fullServerTurns;
    // Made at the first failed connect: before it, a breaker could only be closed with nothing counted, and
    // making it would load Failsafe into every short-lived process that never meets a failure.
    private volatile CircuitBreaker<Object> breaker;
    private final java.util.concurrent.locks.ReentrantLock breakerLock = new java.util.concurrent.locks.ReentrantLock();
    // The failure that made the breaker open, handed to callers refused while it is open.
    private volatile SQLException lastGiveUp;
    private volatile CallObserver observer = CallObserver.NONE;
    private final java.util.concurrent.locks.ReentrantLock observerLock = new java.util.concurrent.locks.ReentrantLock();
    private CallObserver metricsObserver = CallObserver.NONE; // guarded by observerLock
    private CallObserver secondObserver = CallObserver.NONE;  // guarded by observerLock
    // When a call of this target last succeeded (System.nanoTime), so health need not open a session to know.
    private volatile long lastSuccessNanos;
    private volatile boolean succeeded;
    // An outage of connects was announced; the next successful connect ends it, so each outage is said once.
    private final java.util.concurrent.atomic.AtomicBoolean connectWaitAnnounced = new java.util.concurrent.atomic.AtomicBoolean();

    public TargetGuard(String name, RetrySettings s) {
        this.name = name;
        this.settings = s;
        // A turn is waited for at most one connect delay: past it the connect tries anyway, as without the turns.
        this.fullServerTurns = new FullServerTurns(s.connectMaxDelay.toNanos());
    }

    // Under breakerLock, once: the first failed connect of the target asks for it.
    private CircuitBreaker<Object> newBreaker() {
        RetrySettings s = settings;
        return CircuitBreaker.builder()
                .handle(RetryableFailure.class)
                .withFailureThreshold(s.breakerFailureThreshold)
                .withDelay(s.breakerOpenDuration)
                .withSuccessThreshold(s.breakerSuccessThreshold)
                .onOpen(e -> {
                    stats.onBreakerOpened();
                    LOG.log(Level.WARNING, "resilient-jdbc: circuit breaker for {0} opened after {1} failed connects;"
                            + " connects fail fast for {2} ms", new Object[]{name, s.breakerFailureThreshold,
                            s.breakerOpenDuration.toMillis()});
                })
                .onHalfOpen(e -> {
                    stats.onBreakerHalfOpened();
                    LOG.log(Level.INFO, "resilient-jdbc: circuit breaker for {0} half-open: letting a probe connect through", name);
                })
                .onClose(e -> {
                    stats.onBreakerClosed();
                    LOG.log(Level.INFO, "resilient-jdbc: circuit breaker for {0} closed: target reachable again", name);
                })
                .build();
    }

    /** What tells guards of one target apart: connections with other breaker settings get a guard of their own. */
    public static String key(String targetName, RetrySettings s) {
        return targetName + "#" + s.breakerKey();
    }

    // resilient.readOnlyFallback: null while off for this target.
    private volatile FallbackState fallback;

    /** Turns resilient.readOnlyFallback on for this target (once; later calls get the first state). */
    public FallbackState fallback(java.util.List<String> hosts) {
        synchronized (this) {
            if (fallback == null) {
                fallback = new FallbackState(hosts);
            }
            return fallback;
        }
    }

    /** The target's read-only fallback state; null when resilient.readOnlyFallback is off. */
    public FallbackState fallback() {
        return fallback;
    }

    public String name() {
        return name;
    }

    public RetryStats stats() {
        return stats;
    }

    /** After a 53300, this target's connects ask the server one at a time until one is accepted. */
    FullServerTurns fullServerTurns() {
        return fullServerTurns;
    }

    /** Interrupted transactions of this target replay before new work starts. */
    public ReplayTurns replayTurns() {
        return replayTurns;
    }

    /** Where call timings go; {@link CallObserver#NONE} until the metrics layer binds this target. */
    public CallObserver observer() {
        return observer;
    }

    /** The Dropwizard metrics' observer ({@link CallObserver#NONE} to detach it). */
    public void observer(CallObserver observer) {
        observerLock.lock();
        try {
            metricsObserver = observer == null ? CallObserver.NONE : observer;
            install();
        } finally {
            observerLock.unlock();
        }
    }

    /** A second observer beside the Dropwizard one: the Micrometer binding's ({@link CallObserver#NONE} to detach it). */
    public void secondObserver(CallObserver observer) {
        observerLock.lock();
        try {
            secondObserver = observer == null ? CallObserver.NONE : observer;
            install();
        } finally {
            observerLock.unlock();
        }
    }

    // Under observerLock. The hot path reads one volatile field and makes at most two calls: no lock, no allocation.
    private void install() {
        CallObserver a = metricsObserver;
        CallObserver b = secondObserver;
        CallObserver inner = a == CallObserver.NONE ? b : b == CallObserver.NONE ? a : new Both(a, b);
        this.observer = inner == CallObserver.NONE ? CallObserver.NONE : new Noting(inner);
    }

    private static final class Both implements CallObserver {
        private final CallObserver a;
        private final CallObserver b;

        Both(CallObserver a, CallObserver b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void took(Kind kind, long nanos, boolean failed, long endNanos) {
            a.took(kind, nanos, failed, endNanos);
            b.took(kind, nanos, failed, endNanos);
        }
    }

    // Notes the last success for health (succeededSince) before the observers are told.
    private final class Noting implements CallObserver {
        private final CallObserver inner;

        Noting(CallObserver inner) {
            this.inner = inner;
        }

        @Override
        public void took(Kind kind, long nanos, boolean failed, long endNanos) {
            // At most one write a millisecond: every thread of the target shares these fields (hot path).
            if (!failed && (!succeeded || endNanos - lastSuccessNanos > 1_000_000L)) {
                lastSuccessNanos = endNanos;
                succeeded = true;
            }
            inner.took(kind, nanos, failed, endNanos);
        }
    }

    /** Whether a call of this target succeeded at or after {@code sinceNanos} (System.nanoTime); only seen while metrics observe calls. */
    public boolean succeededSince(long sinceNanos) {
        return succeeded && lastSuccessNanos - sinceNanos >= 0;
    }

    /** Whether the target has a circuit breaker at all ({@code resilient.breaker.enabled}). */
    public boolean breakerEnabled() {
        return settings.breakerEnabled;
    }

    /** The breaker, or null when disabled or while no connect has failed yet (closed, nothing counted). */
    public CircuitBreaker<Object> breaker() {
        return breaker;
    }

    /** The breaker, made now when enabled: a connect failed (the failure path only). Null when disabled. */
    CircuitBreaker<Object> breakerForFailure() {
        CircuitBreaker<Object> b = breaker;
        if (b != null || !settings.breakerEnabled) {
            return b;
        }
        breakerLock.lock();
        try {
            if (breaker == null) {
                breaker = newBreaker();
            }
            return breaker;
        } finally {
            breakerLock.unlock();
        }
    }

    /** True once per outage: the first connect that starts waiting for this target says so. */
    boolean startsConnectWait() {
        return connectWaitAnnounced.compareAndSet(false, true);
    }

    /** A connect succeeded: an announced outage is over. One volatile read on the healthy path. */
    void connected() {
        if (connectWaitAnnounced.get()) {
            connectWaitAnnounced.set(false);
        }
    }

    // Reconnects of this target's logical connections, grouped into incidents: one INFO line when an incident
    // begins (the first reconnect after a quiet minute) and one when it is over (a quiet minute after the last);
    // each reconnect at FINE.
    public static final long INCIDENT_QUIET_NANOS = 60_000_000_000L;
    private final java.util.concurrent.atomic.AtomicLong lastReconnectNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean incidentOpen = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long incidentStartMillis;
    // The counters when the incident began: the over line reports what happened during it.
    private volatile long[] incidentBaseline = new long[4];
    private volatile Runnable incidentListener = () -> { };
    // What failed last (class and SQLState; never a message, which may name hosts and users), for the begin line.
    private volatile String lastFailure = "unknown failure";
    // How long calls of the application waited on recovery during the incident: the longest, and all together.
    private final java.util.concurrent.atomic.AtomicLong incidentLongestWaitNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.LongAdder incidentWaitNanos = new java.util.concurrent.atomic.LongAdder();

    /** A call or connect failed with a failure recovery deals with (failure path only). */
    public void failed(FailureClass c, SQLException e) {
        lastFailure = c + ", SQLState " + e.getSQLState();
    }

    /** A call of the application waited {@code nanos} while it was recovered (retried, reconnected, replayed). */
    public void waited(long nanos) {
        incidentLongestWaitNanos.accumulateAndGet(nanos, Math::max);
        incidentWaitNanos.add(nanos);
    }

    /** Told when an incident begins, so that someone will ask {@link #incidentOverIfQuiet} later (the target registry). */
    public void onIncident(Runnable listener) {
        this.incidentListener = listener == null ? () -> { } : listener;
    }

    /**
     * A logical connection of this target got a new physical one. Said once per incident, not once per
     * connection: an outage that takes 80 pooled connections with it is one line, not 80.
     */
    public void reconnected() {
        lastReconnectNanos.set(System.nanoTime());
        if (!incidentOpen.compareAndSet(false, true)) { // an open incident goes on until a quiet minute ends it
            LOG.log(Level.FINE, "resilient-jdbc: reconnected a connection to {0}", name);
            return;
        }
        // This reconnect is already counted: the baseline is taken one below it.
        incidentBaseline = new long[]{stats.reconnects() - 1, stats.replays(), stats.inDoubt(), stats.divergences()};
        incidentStartMillis = System.currentTimeMillis();
        incidentLongestWaitNanos.set(0);
        incidentWaitNanos.reset();
        LOG.log(Level.INFO, "resilient-jdbc: connections to {0} were lost ({1}) and are being reconnected (one line when it"
                + " begins, one when it is over; each reconnect at FINE)", new Object[]{name, lastFailure});
        incidentListener.run();
    }

    /**
     * Ends the incident when no connection of the target was reconnected for a quiet minute before
     * {@code nowNanos} (System.nanoTime), or at once when {@code lastConnectionClosed} (nothing is left to
     * reconnect), saying in one INFO line what it cost. Returns whether an incident is still open.
     */
    public boolean incidentOverIfQuiet(long nowNanos, boolean lastConnectionClosed) {
        if (!incidentOpen.get()) {
            return false;
        }
        long last = lastReconnectNanos.get();
        if (nowNanos - last < INCIDENT_QUIET_NANOS && !lastConnectionClosed) {
            return true;
        }
        if (incidentOpen.compareAndSet(true, false)) {
            long[] b = incidentBaseline;
            LOG.log(Level.INFO, "resilient-jdbc: the incident on {0} that began at {1} is over: {2} connection(s) reconnected,"
                            + " {3} transaction(s) replayed, {4} call(s) answered 08007 (outcome unknown), {5} replay(s) diverged"
                            + " (40001); the application waited {6} ms at most in one call, {7} ms in all",
                    new Object[]{name, java.time.Instant.ofEpochMilli(incidentStartMillis), stats.reconnects() - b[0],
                            stats.replays() - b[1], stats.inDoubt() - b[2], stats.divergences() - b[3],
                            incidentLongestWaitNanos.get() / 1_000_000, incidentWaitNanos.sum() / 1_000_000});
        }
        return incidentOpen.get();
    }

    void lastGiveUp(SQLException e) {
        lastGiveUp = e;
    }

    SQLException lastGiveUp() {
        return lastGiveUp;
    }
}
