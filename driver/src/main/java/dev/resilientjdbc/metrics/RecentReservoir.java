package dev.resilientjdbc.metrics;

import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.UniformSnapshot;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The last {@code capacity} values (a power of two), and how many there were in all. An update is one
 * atomic increment and one store: the exponentially decaying reservoirs took a random draw, an
 * {@code exp()}, a clock read and mostly a skip-list insert per call, the largest part of what timing
 * an SQLite query or a pool borrow cost (bench/RESULTS.md, issue 28).
 */
public final class RecentReservoir implements Reservoir {
    private final AtomicLongArray values;
    private final int mask;
    private final AtomicLong count = new AtomicLong();

    public RecentReservoir(int capacity) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.values = new AtomicLongArray(capacity);
        this.mask = capacity - 1;
    }

    @Override
    public int size() {
        return (int) Math.min(count.get(), values.length());
    }

    /** Every value ever given to {@link #update}. */
    public long count() {
        return count.get();
    }

    @Override
    public void update(long value) {
        values.setRelease((int) (count.getAndIncrement() & mask), value);
    }

    @Override
    public Snapshot getSnapshot() {
        long[] copy = new long[size()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = values.getAcquire(i);
        }
        return new UniformSnapshot(copy);
    }
}
