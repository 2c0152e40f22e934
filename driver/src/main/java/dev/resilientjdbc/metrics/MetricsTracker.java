package dev.resilientjdbc.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.TargetGuard;

import java.util.List;
import java.util.Map;

/**
 * One target's metrics in one registry, attached to its guard as the call observer (as HikariCP
 * attaches a metrics tracker to a pool). {@link #close()} detaches it and removes every metric it
 * registered, so a closed target leaves nothing in a registry the application keeps.
 */
public final class MetricsTracker implements AutoCloseable {
    private final TargetGuard guard;
    private final String name;
    private final MetricRegistry registry;
    private final List<String> names;
    private final ErrorWindow window;
    private final Map<CallObserver.Kind, Timer> timers;
    private final CallObserver observer;

    MetricsTracker(TargetGuard guard, String name, MetricRegistry registry, List<String> names, ErrorWindow window,
                   Map<CallObserver.Kind, Timer> timers, CallObserver observer) {
        this.guard = guard;
        this.name = name;
        this.registry = registry;
        this.names = List.copyOf(names);
        this.window = window;
        this.timers = timers;
        this.observer = observer;
    }

    /** What times the target's calls into these metrics (installed on the guard by the binding). */
    public CallObserver observer() {
        return observer;
    }

    /** The name the target's metrics go under: {@code resilient.<name>....}. */
    public String name() {
        return name;
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** The last minute's calls and failures. */
    public ErrorWindow errors() {
        return window;
    }

    /** The call timers, by kind of call. */
    public Map<CallObserver.Kind, Timer> timers() {
        return timers;
    }

    @Override
    public void close() {
        guard.observer(CallObserver.NONE);
        names.forEach(registry::remove);
    }
}
