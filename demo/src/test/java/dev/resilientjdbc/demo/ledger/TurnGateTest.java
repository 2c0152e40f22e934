package dev.resilientjdbc.demo.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A gated ledger works only while its gate is open, and closing the gate returns only when no operation
 * is in flight, so counts read then are exact: on a real ledger (an SQLite file, cheap), two clients.
 */
class TurnGateTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aGatedLedgerCommitsOnlyWhileOpen(@TempDir Path dir) {
        String url = "jdbc:sqlite:" + dir.resolve("ledger.db") + "?busy_timeout=5000&journal_mode=WAL&transaction_mode=IMMEDIATE";
        TurnGate gate = new TurnGate();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (LedgerRun run = LedgerWorkload.builder(url).accounts(5).clients(2).readShare(0).duration(Duration.ofMinutes(5))
                    .gate(gate).build().start()) {
                gate.awaitWaiting(2, WAIT);
                assertEquals(0, run.committedSoFar(), "both clients connected and waited at the closed gate");

                gate.open();
                awaitCommitted(run, 20);
                gate.close(WAIT);
                long atClose = run.committedSoFar();
                gate.awaitWaiting(2, WAIT);
                assertEquals(atClose, run.committedSoFar(), "nothing was still in flight when close returned, nothing ran after");

                gate.open();
                awaitCommitted(run, atClose + 20);
                gate.close(WAIT);
                // A run stopped while its clients wait at the closed gate ends without anyone hung.
                run.stop();
                LedgerWorkload.Result result = run.awaitResult();
                assertEquals(List.of(), result.hungThreads());
                assertEquals(0, result.failed(), result::toString);
                assertTrue(result.committed() >= atClose + 20, result::toString);
            }
        });
    }

    @Test
    void closeFailsWhenAClientStaysInside() throws Exception {
        TurnGate gate = new TurnGate();
        gate.open();
        CountDownLatch inside = new CountDownLatch(1);
        Thread client = new Thread(() -> {
            if (gate.enter(TimeUnit.SECONDS.toNanos(10))) {
                inside.countDown(); // and never leaves
            }
        });
        client.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gate.close(Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("inside: 1"), e.getMessage());
        client.join();
    }

    @Test
    void aClientAtAClosedGateGivesUpAfterItsWait() {
        TurnGate gate = new TurnGate();
        long start = System.nanoTime();
        assertEquals(false, gate.enter(TimeUnit.MILLISECONDS.toNanos(20)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
    }

    private static void awaitCommitted(LedgerRun run, long atLeast) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (run.committedSoFar() < atLeast) {
            assertTrue(System.nanoTime() < deadline, "only " + run.committedSoFar() + " committed, waited for " + atLeast);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
