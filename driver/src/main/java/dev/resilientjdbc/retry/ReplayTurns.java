package dev.resilientjdbc.retry;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Replays first, then anything new, on one target. After an incident each interrupted transaction replays
 * what it had done; before the incident those transactions held their locks side by side, so their replays
 * fit together. What does not fit is a call made while another one's replay is still to come: a client
 * that reconnects with nothing in flight and starts a transfer, or an interrupted transaction that replayed
 * and goes on with its next statement, takes a row another one's replay is about to read, and that replay
 * reads a changed answer and diverges (40001) — the application racing itself. So while interrupted
 * transactions of the target have not replayed yet, new work and the next calls of those already replayed
 * wait for them, bounded by a short budget. Outside an incident the check is one volatile read; the lock
 * is taken only by recovering transactions.
 */
public final class ReplayTurns {
    private final ReentrantLock lock = new ReentrantLock();
    private volatile int toReplay;                // written under lock
    private volatile CountDownLatch allReplayed;  // non-null while toReplay > 0; written under lock
    private final LongAdder held = new LongAdder();
    private final LongAdder heldPastBudget = new LongAdder();

    /** One interrupted transaction's place in the queue: {@link #replayed} once its log is back, {@link #close} in a finally. */
    public final class Turn implements AutoCloseable {
        private boolean done;

        private Turn() {
        }

        /** Its replay went through (or it will not replay at all): others need not wait for it any more. */
        public void replayed() {
            if (done) {
                return;
            }
            done = true;
            lock.lock();
            try {
                if (--toReplay == 0) {
                    allReplayed.countDown();
                    allReplayed = null;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            replayed();
        }
    }

    /** An interrupted transaction of this target starts recovering (reconnect, then replay). */
    public Turn begin() {
        lock.lock();
        try {
            if (toReplay++ == 0) {
                allReplayed = new CountDownLatch(1);
            }
        } finally {
            lock.unlock();
        }
        return new Turn();
    }

    /**
     * A call that is not a replay is about to run: waits, at most {@code budgetNanos}, until no interrupted
     * transaction of the target has a replay to come. An interrupt ends the wait and is kept for the caller.
     */
    public void awaitTurn(long budgetNanos) {
        if (toReplay == 0 || budgetNanos <= 0) {
            return;
        }
        CountDownLatch l = allReplayed;
        if (l == null) {
            return;
        }
        held.increment();
        try {
            if (!l.await(budgetNanos, TimeUnit.NANOSECONDS)) {
                heldPastBudget.increment();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Interrupted transactions whose replay is still to come. */
    public int toReplay() {
        return toReplay;
    }

    /** Times a call waited for replays to go first. */
    public long held() {
        return held.sum();
    }

    /** Of those, waits that ran out of budget before every replay had gone through. */
    public long heldPastBudget() {
        return heldPastBudget.sum();
    }
}
