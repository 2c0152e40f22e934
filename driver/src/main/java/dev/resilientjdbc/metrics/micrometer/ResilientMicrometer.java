package dev.resilientjdbc.metrics.micrometer;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.metrics.MicrometerHook;
import dev.resilientjdbc.metrics.TargetMeters;
import dev.resilientjdbc.retry.TargetGuard;
import dev.resilientjdbc.target.Target;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * Publishes resilient-jdbc's metrics to a Micrometer {@link MeterRegistry}, beside the Dropwizard
 * ones (which stay the default): hand the application's registry to {@link #bindTo}, or set
 * {@code resilient.metrics.micrometer=true} for Micrometer's global registry. Meter names are in the
 * docs/OBSERVABILITY.md ({@code resilient.retries}, {@code resilient.reconnects}, {@code resilient.calls}, ... with a
 * {@code target} tag). Micrometer is an optional dependency of the driver: this package is loaded only
 * when one of the two is used.
 */
public final class ResilientMicrometer {
    private static final MicrometerMeters GLOBAL = new MicrometerMeters(Metrics.globalRegistry);

    private ResilientMicrometer() {}

    /**
     * Publishes every target of the driver to {@code registry}: the open ones at once, later ones as they
     * connect. A target that published elsewhere before has those meters removed; {@code null} removes
     * them all (targets then publish only where {@code resilient.metrics.micrometer} says). Closing the
     * targets ({@code ResilientDriver.targets().close()}) removes their meters.
     */
    public static void bindTo(MeterRegistry registry) {
        TargetMeters to = registry == null ? null : new MicrometerMeters(registry);
        MicrometerHook.bound(to);
        for (Target t : ResilientDriver.targets().targets()) {
            t.meters(to);
        }
    }

    /** The binding for Micrometer's global registry; what {@code resilient.metrics.micrometer=true} uses (looked up by name). */
    public static TargetMeters globalMeters() {
        return GLOBAL;
    }

    /** The meters of targets in one registry. */
    private static final class MicrometerMeters implements TargetMeters {
        private final MeterRegistry registry;

        MicrometerMeters(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public Bound bind(TargetGuard guard, String name) {
            return new MicrometerTracker(guard, name, registry);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MicrometerMeters && ((MicrometerMeters) o).registry == registry;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(registry);
        }
    }
}
