package dev.resilientjdbc.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SharedMetricRegistries;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jmx.JmxReporter;
import dev.failsafe.CircuitBreaker;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.reconnect.InDoubt;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.retry.TargetGuard;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

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
            gauge(registry, names, p + ".failures." + cls, s -> s.failures(c), stats);
            gauge(registry, names, p + ".retries." + cls, s -> s.retries(c), stats);
            gauge(registry, names, p + ".giveups." + cls, s -> s.giveUps(c), stats);
        }
        gauge(registry, names, p + ".connect.retries", RetryStats::connectRetries, stats);
        gauge(registry, names, p + ".connect.giveups", RetryStats::connectGiveUps, stats);
        gauge(registry, names, p + ".reconnect.count", RetryStats::reconnects, stats);
        gauge(registry, names, p + ".replay.count", RetryStats::replays, stats);
        gauge(registry, names, p + ".replay.divergences", RetryStats::divergences, stats);
        gauge(registry, names, p + ".indoubt.unknown", RetryStats::inDoubt, stats);
        gauge(registry, names, p + ".indoubt.committed", RetryStats::inDoubtCommitted, stats);
        gauge(registry, names, p + ".indoubt.aborted", RetryStats::inDoubtAborted, stats);
        for (InDoubt.Evidence e : InDoubt.Evidence.values()) {
            gauge(registry, names, p + ".indoubt.by." + e.metricName(), s -> s.inDoubtEvidence(e.ordinal()), stats);
        }
        gauge(registry, names, p + ".breaker.opened", RetryStats::breakerOpened, stats);
        gauge(registry, names, p + ".breaker.halfopened", RetryStats::breakerHalfOpened, stats);
        gauge(registry, names, p + ".breaker.closed", RetryStats::breakerClosed, stats);
        gauge(registry, names, p + ".breaker.rejected", RetryStats::breakerRejected, stats);
        CircuitBreaker<Object> breaker = guard.breaker();
        names.add(p + ".breaker.state");
        registry.gauge(p + ".breaker.state", () -> (Gauge<Integer>) () -> breaker == null ? 0
                : breaker.isOpen() ? 2 : breaker.isHalfOpen() ? 1 : 0);
        Map<CallObserver.Kind, Timer> timers = new EnumMap<>(CallObserver.Kind.class);
        for (CallObserver.Kind k : CallObserver.Kind.values()) {
            // Lock-free reservoir: the default one takes a lock and a skip-list insert on every update, the
            // largest single cost of an executeQuery through us.
            String timer = p + ".calls." + k.name().toLowerCase(Locale.ROOT);
            names.add(timer);
            timers.put(k, registry.timer(timer, () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build())));
        }
        Timer[] byKind = timers.values().toArray(new Timer[0]);
        ErrorWindow window = new ErrorWindow(60);
        guard.observer((kind, nanos, failed) -> {
            byKind[kind.ordinal()].update(nanos, TimeUnit.NANOSECONDS);
            window.record(failed);
        });
        return new MetricsTracker(guard, name, registry, names, window, timers);
    }

    private static void gauge(MetricRegistry r, java.util.List<String> names, String name, ToLongFunction<RetryStats> f, RetryStats stats) {
        names.add(name);
        r.gauge(name, () -> (Gauge<Long>) () -> f.applyAsLong(stats));
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
