package dev.resilientjdbc.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SharedMetricRegistries;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jmx.JmxReporter;
import dev.failsafe.CircuitBreaker;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.reconnect.InDoubt;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.retry.TargetGuard;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final Map<TargetGuard, MetricRegistry> BOUND = new ConcurrentHashMap<>();
    private static final Map<TargetGuard, ErrorWindow> WINDOWS = new ConcurrentHashMap<>();
    private static final Map<TargetGuard, Map<CallObserver.Kind, Timer>> TIMERS = new ConcurrentHashMap<>();
    private static final Map<TargetGuard, String> NAMES = new ConcurrentHashMap<>();
    // name in a registry → the guard owning it; a second guard for the same target (other breaker settings) gets name_2
    private static final Map<String, TargetGuard> OWNERS = new ConcurrentHashMap<>();
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

    /** Registers the target's metrics once, and starts timing its calls. */
    public static void bind(TargetGuard guard, String baseTarget, MetricRegistry registry) {
        if (BOUND.putIfAbsent(guard, registry) != null) {
            return;
        }
        String target = baseTarget;
        for (int n = 2; OWNERS.putIfAbsent(System.identityHashCode(registry) + "/" + target, guard) != null; n++) {
            target = baseTarget + "_" + n;
        }
        NAMES.put(guard, target);
        String p = MetricRegistry.name("resilient", target);
        RetryStats stats = guard.stats();
        for (FailureClass c : FailureClass.values()) {
            String cls = c.name().toLowerCase(Locale.ROOT);
            gauge(registry, p + ".failures." + cls, s -> s.failures(c), stats);
            gauge(registry, p + ".retries." + cls, s -> s.retries(c), stats);
            gauge(registry, p + ".giveups." + cls, s -> s.giveUps(c), stats);
        }
        gauge(registry, p + ".connect.retries", RetryStats::connectRetries, stats);
        gauge(registry, p + ".connect.giveups", RetryStats::connectGiveUps, stats);
        gauge(registry, p + ".reconnect.count", RetryStats::reconnects, stats);
        gauge(registry, p + ".replay.count", RetryStats::replays, stats);
        gauge(registry, p + ".replay.divergences", RetryStats::divergences, stats);
        gauge(registry, p + ".indoubt.unknown", RetryStats::inDoubt, stats);
        gauge(registry, p + ".indoubt.committed", RetryStats::inDoubtCommitted, stats);
        gauge(registry, p + ".indoubt.aborted", RetryStats::inDoubtAborted, stats);
        for (InDoubt.Evidence e : InDoubt.Evidence.values()) {
            gauge(registry, p + ".indoubt.by." + e.metricName(), s -> s.inDoubtEvidence(e.ordinal()), stats);
        }
        gauge(registry, p + ".breaker.opened", RetryStats::breakerOpened, stats);
        gauge(registry, p + ".breaker.halfopened", RetryStats::breakerHalfOpened, stats);
        gauge(registry, p + ".breaker.closed", RetryStats::breakerClosed, stats);
        gauge(registry, p + ".breaker.rejected", RetryStats::breakerRejected, stats);
        CircuitBreaker<Object> breaker = guard.breaker();
        registry.gauge(p + ".breaker.state", () -> (Gauge<Integer>) () -> breaker == null ? 0
                : breaker.isOpen() ? 2 : breaker.isHalfOpen() ? 1 : 0);
        Map<CallObserver.Kind, Timer> timers = new EnumMap<>(CallObserver.Kind.class);
        for (CallObserver.Kind k : CallObserver.Kind.values()) {
            // Lock-free reservoir: the default one takes a lock and a skip-list insert on every update, the
            // largest single cost of an executeQuery through us.
            timers.put(k, registry.timer(p + ".calls." + k.name().toLowerCase(Locale.ROOT),
                    () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build())));
        }
        Timer[] byKind = timers.values().toArray(new Timer[0]);
        ErrorWindow window = new ErrorWindow(60);
        WINDOWS.put(guard, window);
        TIMERS.put(guard, timers);
        guard.observer((kind, nanos, failed) -> {
            byKind[kind.ordinal()].update(nanos, TimeUnit.NANOSECONDS);
            window.record(failed);
        });
    }

    /** The name a bound target's metrics go under ({@code resilient.<name>...}), or null. */
    public static String nameOf(TargetGuard guard) {
        return NAMES.get(guard);
    }

    /** The last minute's calls and failures of a bound target, or null. */
    public static ErrorWindow errors(TargetGuard guard) {
        return WINDOWS.get(guard);
    }

    /** The call timers of a bound target, or null. */
    public static Map<CallObserver.Kind, Timer> timers(TargetGuard guard) {
        return TIMERS.get(guard);
    }

    /** The registry a target is bound to, or null. */
    public static MetricRegistry registryOf(TargetGuard guard) {
        return BOUND.get(guard);
    }

    private static void gauge(MetricRegistry r, String name, ToLongFunction<RetryStats> f, RetryStats stats) {
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
