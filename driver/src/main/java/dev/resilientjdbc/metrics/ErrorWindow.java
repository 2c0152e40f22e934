package dev.resilientjdbc.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Calls and failed calls of one target over the last {@code seconds} seconds, in one-second
 * buckets: what the error-rate health check reads. Lock-free; a bucket is reused a window later.
 * Seconds of {@link System#nanoTime()}: the caller timing a call has read it already, so recording costs
 * no clock read of its own.
 */
public final class ErrorWindow {
    private final int seconds;
    private final AtomicLongArray epochs;
    private final AtomicLongArray calls;
    private final AtomicLongArray failures;

    public ErrorWindow(int seconds) {
        this.seconds = seconds;
        this.epochs = new AtomicLongArray(seconds);
        this.calls = new AtomicLongArray(seconds);
        this.failures = new AtomicLongArray(seconds);
    }

    /** A call that ended at {@code nowNanos} ({@link System#nanoTime()}). */
    public void record(boolean failed, long nowNanos) {
        long now = second(nowNanos);
        int i = (int) Math.floorMod(now, (long) seconds);
        long seen = epochs.get(i);
        if (seen != now && epochs.compareAndSet(i, seen, now)) {
            calls.set(i, 0);
            failures.set(i, 0);
        }
        calls.incrementAndGet(i);
        if (failed) {
            failures.incrementAndGet(i);
        }
    }

    /** {calls, failures} in the window ending now. */
    public long[] totals() {
        long now = second(System.nanoTime());
        long c = 0;
        long f = 0;
        for (int i = 0; i < seconds; i++) {
            if (now - epochs.get(i) < seconds) {
                c += calls.get(i);
                f += failures.get(i);
            }
        }
        return new long[]{c, f};
    }

    private static long second(long nanos) {
        return Math.floorDiv(nanos, 1_000_000_000L);
    }
}
