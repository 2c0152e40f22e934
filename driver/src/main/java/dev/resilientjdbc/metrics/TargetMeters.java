package dev.resilientjdbc.metrics;

import dev.resilientjdbc.retry.TargetGuard;

/**
 * Publishes a target's metrics somewhere besides the Dropwizard registry — the Micrometer binding
 * ({@code dev.resilientjdbc.metrics.micrometer}). Names no Micrometer type, so the driver's core can
 * hold one without Micrometer on the class path. Two are equal when they publish to the same place.
 */
public interface TargetMeters {
    /**
     * Registers {@code guard}'s metrics under the target name {@code name} and starts timing its calls
     * (as the guard's second observer); closing the result removes every meter again and stops timing.
     */
    Bound bind(TargetGuard guard, String name);

    /** One target's meters in one place; {@link #close()} removes them. */
    interface Bound extends AutoCloseable {
        @Override
        void close();
    }
}
