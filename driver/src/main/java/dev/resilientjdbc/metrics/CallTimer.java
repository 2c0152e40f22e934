package dev.resilientjdbc.metrics;

import com.codahale.metrics.Clock;
import com.codahale.metrics.EWMA;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A Dropwizard {@link Timer} made for a call per query: the same count, mean and 1/5/15-minute rates
 * (the same EWMAs, ticked every 5 s as Dropwizard's meter does) and a snapshot of the last 1,024
 * durations ({@link RecentReservoir}). {@link #record} takes the end of the call from the caller, who
 * read the clock for the duration anyway: Dropwizard's timer read it twice more (meter tick, reservoir
 * decay) and updated five counters and a skip list per call; this one makes one atomic increment, one
 * store and one volatile read.
 */
public final class CallTimer extends Timer {
    private static final long TICK = TimeUnit.SECONDS.toNanos(5);
    // Timer keeps a meter and a histogram of its own; every method that would reach them is overridden.
    private static final Meter UNUSED_METER = new Meter();
    private static final Histogram UNUSED_HISTOGRAM = new Histogram(new RecentReservoir(1));

    private final RecentReservoir recent = new RecentReservoir(1024);
    private final long started = System.nanoTime();
    private final EWMA m1 = EWMA.oneMinuteEWMA();
    private final EWMA m5 = EWMA.fiveMinuteEWMA();
    private final EWMA m15 = EWMA.fifteenMinuteEWMA();
    private final AtomicLong lastTick = new AtomicLong(started);
    // The count the EWMAs have been given so far; moved on only by the thread that won the tick.
    private final AtomicLong ticked = new AtomicLong();

    public CallTimer() {
        super(UNUSED_METER, UNUSED_HISTOGRAM, Clock.defaultClock());
    }

    /** A call that took {@code nanos} and ended at {@code endNanos} ({@link System#nanoTime()}). */
    public void record(long nanos, long endNanos) {
        if (nanos < 0) {
            return; // as Dropwizard's timer
        }
        if (endNanos - lastTick.get() > TICK) {
            tick(endNanos); // before counting, as Meter.mark: this call belongs to the new interval
        }
        recent.update(nanos);
    }

    private void tick(long now) {
        long old = lastTick.get();
        long age = now - old;
        if (age > TICK && lastTick.compareAndSet(old, now - age % TICK)) {
            long total = recent.count();
            long calls = total - ticked.getAndSet(total);
            m1.update(calls);
            m5.update(calls);
            m15.update(calls);
            for (long i = age / TICK; i > 0; i--) {
                m1.tick();
                m5.tick();
                m15.tick();
            }
        }
    }

    @Override
    public void update(long duration, TimeUnit unit) {
        record(unit.toNanos(duration), System.nanoTime());
    }

    @Override
    public void update(Duration duration) {
        record(duration.toNanos(), System.nanoTime());
    }

    @Override
    public <T> T time(Callable<T> event) throws Exception {
        long t0 = System.nanoTime();
        try {
            return event.call();
        } finally {
            long t1 = System.nanoTime();
            record(t1 - t0, t1);
        }
    }

    @Override
    public <T> T timeSupplier(Supplier<T> event) {
        long t0 = System.nanoTime();
        try {
            return event.get();
        } finally {
            long t1 = System.nanoTime();
            record(t1 - t0, t1);
        }
    }

    @Override
    public void time(Runnable event) {
        long t0 = System.nanoTime();
        try {
            event.run();
        } finally {
            long t1 = System.nanoTime();
            record(t1 - t0, t1);
        }
    }

    @Override
    public long getCount() {
        return recent.count();
    }

    @Override
    public double getMeanRate() {
        long count = getCount();
        if (count == 0) {
            return 0.0;
        }
        double elapsed = System.nanoTime() - started;
        return count / elapsed * TimeUnit.SECONDS.toNanos(1);
    }

    @Override
    public double getOneMinuteRate() {
        tick(System.nanoTime());
        return m1.getRate(TimeUnit.SECONDS);
    }

    @Override
    public double getFiveMinuteRate() {
        tick(System.nanoTime());
        return m5.getRate(TimeUnit.SECONDS);
    }

    @Override
    public double getFifteenMinuteRate() {
        tick(System.nanoTime());
        return m15.getRate(TimeUnit.SECONDS);
    }

    @Override
    public Snapshot getSnapshot() {
        return recent.getSnapshot();
    }
}
