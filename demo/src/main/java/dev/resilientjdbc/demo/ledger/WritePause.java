package dev.resilientjdbc.demo.ledger;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The longest time, from its start on, in which a ledger run acknowledged no transfer: what a fault cost the
 * application in writes. Sampled every 5 ms on a named daemon thread of its own, which {@link #stop()} ends.
 */
public final class WritePause implements Runnable {
    private final LedgerRun run;
    private volatile boolean stop;
    private volatile long longest;
    private Thread thread;

    private WritePause(LedgerRun run) {
        this.run = run;
    }

    /** Starts watching {@code run} on a thread named {@code threadName}. */
    public static WritePause start(String threadName, LedgerRun run) {
        WritePause p = new WritePause(run);
        Thread t = new Thread(p, threadName);
        t.setDaemon(true);
        p.thread = t;
        t.start();
        return p;
    }

    @Override
    public void run() {
        long last = run.committedSoFar();
        long since = System.nanoTime();
        while (!stop) {
            long now = System.nanoTime();
            long c = run.committedSoFar();
            if (c != last) {
                last = c;
                since = now;
            }
            longest = Math.max(longest, now - since);
            LockSupport.parkNanos(5_000_000L);
        }
    }

    /** Ends the watch (its thread too) and returns the longest pause seen. */
    public Duration stop() throws InterruptedException {
        stop = true;
        LockSupport.unpark(thread);
        thread.join(1_000);
        return Duration.ofNanos(longest);
    }
}
