package dev.resilientjdbc.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Calls and failed calls of one target over the last {@code seconds} seconds, in one-second
 * buckets: what the error-rate health check reads. Lock-free; a bucket is reused a window later.
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

    public void record(boolean failed) {
        long now = System.currentTimeMillis() / 1000;
        int i = (int) (now % seconds);
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
        long now = System.currentTimeMillis() / 1000;
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
}
