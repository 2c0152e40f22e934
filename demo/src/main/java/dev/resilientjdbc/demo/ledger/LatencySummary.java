package dev.resilientjdbc.demo.ledger;

import java.time.Duration;
import java.util.Arrays;

/** Latency percentiles of one kind of successful operation, from every sample (sorted once, no histogram). */
public record LatencySummary(long count, Duration p50, Duration p99, Duration max) {

    static final LatencySummary EMPTY = new LatencySummary(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /** The summary of these samples (nanoseconds, in any order; not changed). */
    public static LatencySummary of(long[] nanos) {
        if (nanos.length == 0) {
            return EMPTY;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new LatencySummary(sorted.length, Duration.ofNanos(percentile(sorted, 0.50)),
                Duration.ofNanos(percentile(sorted, 0.99)), Duration.ofNanos(sorted[sorted.length - 1]));
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    @Override
    public String toString() {
        return String.format("n=%d p50=%.2fms p99=%.2fms max=%.2fms", count,
                p50.toNanos() / 1e6, p99.toNanos() / 1e6, max.toNanos() / 1e6);
    }
}
