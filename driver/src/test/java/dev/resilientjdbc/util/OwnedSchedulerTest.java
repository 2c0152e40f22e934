package dev.resilientjdbc.util;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnedSchedulerTest {

    @Test
    void stopReturnsOnlyOnceTheThreadHasEnded() throws Exception {
        // Many rounds: an executor's awaitTermination alone returns while its worker is still exiting, which a
        // check right after close sees now and then (a CI run did).
        for (int round = 0; round < 300; round++) {
            OwnedScheduler s = new OwnedScheduler("owned-scheduler-test");
            AtomicReference<Thread> ran = new AtomicReference<>();
            CountDownLatch once = new CountDownLatch(1);
            s.everyMillis(() -> {
                ran.set(Thread.currentThread());
                once.countDown();
            }, 0, 1);
            assertTrue(once.await(10, TimeUnit.SECONDS), "the task ran");
            Thread t = ran.get();
            assertEquals("owned-scheduler-test", t.getName());
            assertTrue(t.isDaemon(), "a daemon: it never keeps the JVM up");
            assertTrue(s.stop(Duration.ofSeconds(10)));
            assertFalse(t.isAlive(), "round " + round + ": the thread is gone when stop returns");
        }
    }

    @Test
    void aTaskThatFinishesItsSchedulerEndsTheThread() throws Exception {
        OwnedScheduler s = new OwnedScheduler("owned-scheduler-last-run");
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch runs = new CountDownLatch(3);
        s.everyMillis(() -> {
            ran.set(Thread.currentThread());
            runs.countDown();
            if (runs.getCount() == 0) {
                s.finishAfterThisRun();
            }
        }, 0, 1);
        assertTrue(runs.await(10, TimeUnit.SECONDS));
        ran.get().join(10_000);
        assertFalse(ran.get().isAlive(), "the run that finished the scheduler was its thread's last");
        assertTrue(s.stop(Duration.ofSeconds(1)), "stopping a finished scheduler is harmless");
    }

    @Test
    void stopCalledFromItsOwnTaskDoesNotWaitForItself() throws Exception {
        OwnedScheduler s = new OwnedScheduler("owned-scheduler-self-stop");
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Boolean> answer = new AtomicReference<>();
        s.everyMillis(() -> {
            try {
                answer.set(s.stop(Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        }, 0, 1_000);
        assertTrue(done.await(5, TimeUnit.SECONDS), "stop() on the scheduler's own thread returned at once");
        assertTrue(answer.get());
    }
}
