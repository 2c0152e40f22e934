package dev.resilientjdbc.util;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One named daemon thread running one periodic task, owned by whoever made it: {@link #stop} returns only once the
 * thread has ended, so that closing the owner leaves no thread of ours behind (an executor's awaitTermination
 * returns while its worker is still on its way out).
 */
public final class OwnedScheduler {
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    public OwnedScheduler(String threadName) {
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public void everyMillis(Runnable task, long firstAfter, long delay) {
        executor.scheduleWithFixedDelay(task, firstAfter, delay, TimeUnit.MILLISECONDS);
    }

    /** From the task itself: this run is the thread's last. */
    public void finishAfterThisRun() {
        executor.shutdown();
    }

    /**
     * Interrupts the task and waits for the thread to end, at most {@code wait}; false when it has not. Called on the
     * thread itself (the task closing its owner), it does not wait for itself.
     */
    public boolean stop(Duration wait) throws InterruptedException {
        executor.shutdownNow();
        Thread t = thread;
        if (t == Thread.currentThread()) {
            return true;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        if (!executor.awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        if (t != null) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            return !t.isAlive();
        }
        return true;
    }
}
