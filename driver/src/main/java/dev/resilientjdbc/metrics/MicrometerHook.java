package dev.resilientjdbc.metrics;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where the driver's core learns whether, and to which Micrometer registry, targets publish — without
 * naming a Micrometer class. {@code ResilientMicrometer.bindTo} sets the application's registry here;
 * {@code resilient.metrics.micrometer=true} asks for Micrometer's global registry, which is looked up
 * by name, and only then, so the driver loads nothing of Micrometer unless it is asked to. Internal:
 * applications use {@code dev.resilientjdbc.metrics.micrometer.ResilientMicrometer}.
 */
public final class MicrometerHook {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.metrics");
    static final String BINDING = "dev.resilientjdbc.metrics.micrometer.ResilientMicrometer";
    private static volatile TargetMeters bound;
    private static volatile TargetMeters global;
    private static final AtomicBoolean ABSENT_TOLD = new AtomicBoolean();

    private MicrometerHook() {}

    /** The application's registry from now on (null: none); set by {@code ResilientMicrometer.bindTo}. */
    public static void bound(TargetMeters meters) {
        bound = meters;
    }

    /** The application's registry, if it handed one over. */
    public static TargetMeters bound() {
        return bound;
    }

    /**
     * Where a target connecting now publishes: the registry the application handed over, else — when
     * {@code useGlobal} — Micrometer's global registry, else nowhere (null). One volatile read when
     * the application handed none over and the option is off.
     */
    public static TargetMeters forConnect(boolean useGlobal) {
        TargetMeters b = bound;
        if (b != null || !useGlobal) {
            return b;
        }
        TargetMeters g = global;
        return g != null ? g : lookUpGlobal();
    }

    private static TargetMeters lookUpGlobal() {
        ClassLoader loader = MicrometerHook.class.getClassLoader();
        try {
            Class.forName("io.micrometer.core.instrument.Metrics", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            if (ABSENT_TOLD.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "resilient-jdbc: resilient.metrics.micrometer=true but Micrometer"
                        + " (io.micrometer:micrometer-core) is not on the class path; the metrics stay in Dropwizard only");
            }
            return null;
        }
        try {
            TargetMeters g = (TargetMeters) Class.forName(BINDING, true, loader).getMethod("globalMeters").invoke(null);
            global = g;
            return g;
        } catch (ReflectiveOperationException | LinkageError e) {
            if (ABSENT_TOLD.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "resilient-jdbc: resilient.metrics.micrometer=true but the Micrometer binding cannot"
                        + " be loaded (the java agent leaves it out: Micrometer is the application's); the metrics stay in"
                        + " Dropwizard only: " + e);
            }
            return null;
        }
    }
}
