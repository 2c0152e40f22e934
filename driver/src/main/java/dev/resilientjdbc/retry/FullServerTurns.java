package dev.resilientjdbc.retry;

import java.sql.SQLException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A server that refused a connect with 53300 (too many clients) is asked again by one connect of the target at
 * a time, until one succeeds. Without it every logical connection of a JVM whose pool lost its connections at
 * once (a restart, a failover) reconnected on its own against the full server, each with its own backoff: a
 * dozen refusals where the application's pool, refilling through its one adder thread, would have drawn one.
 * The others wait their turn in order, each at most {@code maxWaitNanos} (then it tries anyway, as before).
 * While the server is not full, a connect pays one volatile read.
 */
final class FullServerTurns {
    private final Semaphore turn = new Semaphore(1, true);
    private final long maxWaitNanos;
    private volatile boolean full;

    FullServerTurns(long maxWaitNanos) {
        this.maxWaitNanos = maxWaitNanos;
    }

    /**
     * Before a connect attempt: true when the attempt holds the turn and must {@link #leave} it. Waits while another
     * connect of the target has the turn and the server was last known full.
     */
    boolean enter() {
        if (!full) {
            return false;
        }
        try {
            return turn.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void leave() {
        turn.release();
    }

    /** What an attempt learnt: a refusal for lack of slots makes the server full, a connection ends it. */
    void refused(SQLException e) {
        if ("53300".equals(e.getSQLState()) && !full) {
            full = true;
        }
    }

    void accepted() {
        if (full) {
            full = false;
        }
    }

    boolean full() {
        return full;
    }
}
