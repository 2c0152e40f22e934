package dev.resilientjdbc.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in a test for what another thread or process brings about (a backend gone, a reconnect counted, bytes
 * held): the condition is polled every millisecond until it holds, and the test fails naming what it waited for
 * once the timeout has passed. Never a spinning loop: on a 2-core machine a spinning waiter takes a core from the
 * server and the driver under test, and slows down the very thing it waits for.
 */
public final class Await {
    private static final long POLL_NANOS = 1_000_000L;

    private Await() {}

    public static void until(Duration timeout, BooleanSupplier condition, String what) {
        until(timeout, condition, () -> what);
    }

    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what.get());
            }
        }
    }
}
