package dev.resilientjdbc.metrics;

import dev.resilientjdbc.retry.RerunRules;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SharedMetricRegistries;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jmx.JmxReporter;
import dev.failsafe.CircuitBreaker;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.retry.TargetGuard;
import dev.resilientjdbc.metrics.StatGauge.Stat;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Puts each target's counters, breaker state and call timers into a Dropwizard {@link
 * MetricRegistry} — the shared one named by {@code resilient.metrics.registry}, or the
 * application's own given to {@link #useRegistry}. Names are {@code resilient.<target>.<category>.<metric>},
 * the target built from host, port and database only, never from credentials.
 */
public final class ResilientMetrics {
    public static final String DEFAULT_REGISTRY = "resilient-jdbc";
    private static final ReentrantLock JMX_LOCK = new ReentrantLock();
    private static volatile MetricRegistry applicationRegistry;
    private static JmxReporter jmx;

    private ResilientMetrics() {}

    /** Use the application's own registry for every target bound from now on (null: back to the shared one). */
    public static void useRegistry(MetricRegistry registry) {
        applicationRegistry = registry;
    }

    /** The registry for {@code sharedName}: the application's own if given, else the shared one of that name. */
    public static MetricRegistry registry(String sharedName) {
        MetricRegistry own = applicationRegistry;
        return own != null ? own : SharedMetricRegistries.getOrCreate(sharedName);
    }

    /** {@code jdbc:postgresql://db1:5432/app?user=x} → {@code postgresql_db1_5432_app}; see {@link TargetNaming}. */
    public static String targetName(String realUrl) {
        return TargetNaming.of(realUrl);
    }

    /**
     * Registers the metrics of {@code guard}'s target under {@code resilient.<name>.} in {@code registry}
     * and starts timing its calls; the tracker's {@code close()} removes them again. {@code name} must
     * be unique in the registry (the target registry sees to that).
     */
    public static MetricsTracker bind(TargetGuard guard, String name, MetricRegistry registry) {
        String p = MetricRegistry.name("resilient", name);
        java.util.List<String> names = new java.util.ArrayList<>();
        RetryStats stats = guard.stats();
        for (FailureClass c : FailureClass.values()) {
            String cls = c.name().toLowerCase(Locale.ROOT);
            gauge(registry, names, p + ".failures." + cls, new StatGauge(stats, Stat.FAILURES, c, 0));
            gauge(registry, names, p + ".retries." + cls, new StatGauge(stats, Stat.RETRIES, c, 0));
            gauge(registry, names, p + ".giveups." + cls, new StatGauge(stats, Stat.GIVEUPS, c, 0));
        }
        gauge(registry, names, p + ".connect.retries", plain(stats, Stat.CONNECT_RETRIES));
        gauge(registry, names, p + ".connect.giveups", plain(stats, Stat.CONNECT_GIVEUPS));
        gauge(registry, names, p + ".reconnect.count", plain(stats, Stat.RECONNECTS));
        gauge(registry, names, p + ".replay.count", plain(stats, Stat.REPLAYS));
        gauge(registry, names, p + ".replay.divergences", plain(stats, Stat.DIVERGENCES));
        gauge(registry, names, p + ".indoubt.unknown", plain(stats, Stat.INDOUBT));
        gauge(registry, names, p + ".indoubt.committed", plain(stats, Stat.INDOUBT_COMMITTED));
        gauge(registry, names, p + ".indoubt.aborted", plain(stats, Stat.INDOUBT_ABORTED));
        for (RerunRules.InDoubtEvidence e : RerunRules.InDoubtEvidence.values()) {
            gauge(registry, names, p + ".indoubt.by." + e.metricName(), new StatGauge(stats, Stat.INDOUBT_EVIDENCE, null, e.ordinal()));
        }
        gauge(registry, names, p + ".breaker.opened", plain(stats, Stat.BREAKER_OPENED));
        gauge(registry, names, p + ".breaker.halfopened", plain(stats, Stat.BREAKER_HALFOPENED));
        gauge(registry, names, p + ".breaker.closed", plain(stats, Stat.BREAKER_CLOSED));
        gauge(registry, names, p + ".breaker.rejected", plain(stats, Stat.BREAKER_REJECTED));
        dev.resilientjdbc.retry.FallbackState fallback = guard.fallback();
        if (fallback != null) { // resilient.readOnlyFallback: 1 while reads are served by a standby, and by which host of the URL
            names.add(p + ".readOnlyFallback.active");
            registry.gauge(p + ".readOnlyFallback.active", () -> (Gauge<Integer>) () -> fallback.degraded() ? 1 : 0);
            names.add(p + ".readOnlyFallback.member");
            registry.gauge(p + ".readOnlyFallback.member", () -> (Gauge<Integer>) fallback::memberIndex);
            names.add(p + ".readOnlyFallback.standbyConnects");
            registry.gauge(p + ".readOnlyFallback.standbyConnects", () -> (Gauge<Long>) fallback::standbyConnects);
            names.add(p + ".readOnlyFallback.refusedWrites");
            registry.gauge(p + ".readOnlyFallback.refusedWrites", () -> (Gauge<Long>) fallback::refusedWrites);
        }
        names.add(p + ".breaker.state");
        registry.gauge(p + ".breaker.state", () -> (Gauge<Integer>) () -> {
            CircuitBreaker<Object> breaker = guard.breaker(); // made at the first failed connect
            return breaker == null ? 0 : breaker.isOpen() ? 2 : breaker.isHalfOpen() ? 1 : 0;
        });
        Map<CallObserver.Kind, Timer> timers = new EnumMap<>(CallObserver.Kind.class);
        for (CallObserver.Kind k : CallObserver.Kind.values()) {
            // CallTimer: Dropwizard's timer with its decaying reservoir cost more than a whole SQLite point select's
            // other overhead (issue 28). A timer of that name already in the application's registry is used as it is.
            String timer = p + ".calls." + k.name().toLowerCase(Locale.ROOT);
            names.add(timer);
            timers.put(k, registry.timer(timer, CallTimer::new));
        }
        CallObserver observer = new Observer(timers.values().toArray(new Timer[0]), new ErrorWindow(60));
        guard.observer(observer);
        return new MetricsTracker(guard, name, registry, names, ((Observer) observer).window, timers, observer);
    }

    /** Times each call into its kind's timer and the error window; the end of the call is the caller's clock read. */
    private static final class Observer implements CallObserver {
        private final Timer[] byKind;
        // The same timers where they are ours (the cheap path), else null.
        private final CallTimer[] fast;
        final ErrorWindow window;

        Observer(Timer[] byKind, ErrorWindow window) {
            this.byKind = byKind;
            this.fast = new CallTimer[byKind.length];
            for (int i = 0; i < byKind.length; i++) {
                fast[i] = byKind[i] instanceof CallTimer ? (CallTimer) byKind[i] : null;
            }
            this.window = window;
        }

        @Override
        public void took(Kind kind, long nanos, boolean failed, long endNanos) {
            CallTimer t = fast[kind.ordinal()];
            if (t != null) {
                t.record(nanos, endNanos);
            } else {
                byKind[kind.ordinal()].update(nanos, TimeUnit.NANOSECONDS);
            }
            window.record(failed, endNanos);
        }
    }

    private static void gauge(MetricRegistry r, java.util.List<String> names, String name, StatGauge g) {
        names.add(name);
        r.gauge(name, () -> g);
    }

    private static StatGauge plain(RetryStats stats, Stat stat) {
        return new StatGauge(stats, stat, null, 0);
    }

    /** Starts one JMX reporter (domain {@code dev.resilientjdbc}) for {@code registry}; later calls do nothing. */
    public static void startJmx(MetricRegistry registry) {
        JMX_LOCK.lock();
        try {
            if (jmx == null) {
                jmx = JmxReporter.forRegistry(registry).inDomain("dev.resilientjdbc").build();
                jmx.start();
            }
        } finally {
            JMX_LOCK.unlock();
        }
    }

    /** Stops the JMX reporter, if one runs. */
    public static void stopJmx() {
        JMX_LOCK.lock();
        try {
            if (jmx != null) {
                jmx.stop();
                jmx = null;
            }
        } finally {
            JMX_LOCK.unlock();
        }
    }
}
