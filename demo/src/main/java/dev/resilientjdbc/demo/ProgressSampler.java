package dev.resilientjdbc.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Samples (ms since start, successes so far, errors so far) every 250 ms on its own named daemon
 * thread while a workload runs on others, for the report's timeline. {@link #close()} stops it.
 */
final class ProgressSampler implements AutoCloseable {
    private static final long PERIOD_MS = 250;
    private final long t0;
    private final LongSupplier succeeded;
    private final LongSupplier errors;
    private final List<long[]> samples = new ArrayList<>(); // written by the thread only until it is joined
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    /** {@code t0}: the workload's start ({@link System#nanoTime()}), the origin of the samples' time. */
    ProgressSampler(String name, long t0, LongSupplier succeeded, LongSupplier errors) {
        this.t0 = t0;
        this.succeeded = succeeded;
        this.errors = errors;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (!stop.await(PERIOD_MS, TimeUnit.MILLISECONDS)) {
                samples.add(new long[]{(System.nanoTime() - t0) / 1_000_000, succeeded.getAsLong(), errors.getAsLong()});
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops sampling; the samples taken so far. */
    List<long[]> samples() throws InterruptedException {
        close();
        thread.join();
        return samples;
    }

    @Override
    public void close() {
        stop.countDown();
    }
}
