package dev.resilientjdbc.retry;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FullServerTurnsTest {
    private static final SQLException TOO_MANY = new SQLException("sorry, too many clients already", "53300");

    @Test
    void connectsGoFreelyUntilTheServerRefusesForLackOfSlots() {
        FullServerTurns turns = new FullServerTurns(TimeUnit.SECONDS.toNanos(5));
        assertFalse(turns.enter(), "no turn is taken while the server is not full");
        turns.refused(new SQLException("connection refused", "08001"));
        assertFalse(turns.full(), "only 53300 says the server is full");
        turns.refused(TOO_MANY);
        assertTrue(turns.full());
        turns.accepted();
        assertFalse(turns.full(), "one accepted connect ends it");
        assertFalse(turns.enter());
    }

    @Test
    void whileTheServerIsFullASecondConnectWaitsForTheFirstsTurn() throws Exception {
        FullServerTurns turns = new FullServerTurns(TimeUnit.SECONDS.toNanos(5));
        turns.refused(TOO_MANY);
        assertTrue(turns.enter(), "the first connect takes the turn");
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        Thread second = new Thread(() -> {
            held.set(turns.enter());
            entered.countDown();
        }, "second-connect");
        second.setDaemon(true);
        second.start();
        assertFalse(entered.await(200, TimeUnit.MILLISECONDS), "the second waits while the first has the turn");
        turns.accepted();
        turns.leave();
        assertTrue(entered.await(5, TimeUnit.SECONDS), "and goes once the first is done");
        assertTrue(held.get());
        turns.leave();
        second.join(5_000);
    }

    @Test
    void aTurnIsWaitedForAtMostTheBound() {
        FullServerTurns turns = new FullServerTurns(TimeUnit.MILLISECONDS.toNanos(100));
        turns.refused(TOO_MANY);
        assertTrue(turns.enter());
        long t0 = System.nanoTime();
        assertFalse(turns.enter(), "past the bound the connect goes without the turn, as it did before turns existed");
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(90));
        turns.leave();
    }
}
