package dev.resilientjdbc.demo.ledger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Lets a run's clients work only while it is open, so that two runs can take turns on the same
 * database with their connections kept open and warm (see {@link LedgerWorkload.Builder#gate(TurnGate)}).
 * Starts closed. A client passes it before each operation and leaves it after; {@link #close(Duration)}
 * returns once no client is inside an operation, so the caller can read exact counts.
 */
public final class TurnGate {
    /** How long a client waits at a closed gate before it looks again whether its run has ended. */
    static final long CLIENT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean open;   // guarded by lock
    private int inside;     // guarded by lock: clients between enter and exit
    private int waiting;    // guarded by lock: clients blocked at the closed gate

    /** Lets clients in. */
    public void open() {
        lock.lock();
        try {
            open = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets no more clients in and waits until those inside have finished their operation.
     *
     * @throws IllegalStateException when one is still inside after {@code timeout}
     */
    public void close(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            open = false;
            awaitLocked(() -> inside == 0, timeout, "clients to finish their operation");
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code clients} clients wait at the closed gate: all connected and ready to go. */
    public void awaitWaiting(int clients, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            awaitLocked(() -> waiting >= clients, timeout, clients + " clients at the gate");
        } finally {
            lock.unlock();
        }
    }

    /**
     * A client before an operation: true when it may run one (then it must call {@link #exit()}), false
     * when the gate stayed closed for {@code maxWaitNanos}, so the client can see whether its run ended.
     */
    boolean enter(long maxWaitNanos) {
        lock.lock();
        try {
            long left = maxWaitNanos;
            waiting++;
            changed.signalAll();
            try {
                while (!open) {
                    if (left <= 0) {
                        return false;
                    }
                    left = changed.awaitNanos(left);
                }
            } finally {
                waiting--;
            }
            inside++;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** A client after its operation. */
    void exit() {
        lock.lock();
        try {
            inside--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void awaitLocked(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long left = timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (left <= 0) {
                throw new IllegalStateException("waited " + timeout.toMillis() + " ms for " + what + "; inside: " + inside
                        + ", waiting: " + waiting);
            }
            left = changed.awaitNanos(left);
        }
    }
}
