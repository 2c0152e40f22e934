package dev.resilientjdbc.demo;

import dev.resilientjdbc.demo.ledger.LatencySummary;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Latency of the successful operations of a storm and the longest time any one thread went
 * without a success (run start and end count as edges), as the ledger measures them. Each worker
 * thread writes its own {@link Worker}; they are read once the threads have been joined.
 */
final class OpTimings {
    private final long startNanos = System.nanoTime();
    private final List<Worker> workers = new CopyOnWriteArrayList<>();

    Worker worker() {
        Worker w = new Worker(startNanos);
        workers.add(w);
        return w;
    }

    LatencySummary latency() {
        long[] all = new long[workers.stream().mapToInt(w -> w.count).sum()];
        int at = 0;
        for (Worker w : workers) {
            System.arraycopy(w.nanos, 0, all, at, w.count);
            at += w.count;
        }
        return LatencySummary.of(all);
    }

    long longestPauseMs(long endNanos) {
        return workers.stream().mapToLong(w -> Math.max(w.longestPause, endNanos - w.lastSuccess)).max().orElse(0) / 1_000_000;
    }

    static final class Worker {
        private long[] nanos = new long[1024];
        private int count;
        private long lastSuccess;
        private long longestPause;

        private Worker(long startNanos) {
            this.lastSuccess = startNanos;
        }

        void ok(long startNanos, long endNanos) {
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, count * 2);
            }
            nanos[count++] = endNanos - startNanos;
            longestPause = Math.max(longestPause, endNanos - lastSuccess);
            lastSuccess = endNanos;
        }
    }
}
