package dev.resilientjdbc.transaction;

import dev.resilientjdbc.transaction.TransactionState.Phase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transaction state machine, transition by transition. */
class TransactionStateTest {
    private final TransactionState tx = new TransactionState();

    private static Connection someConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite::memory:");
    }

    @Test
    void autocommitStatementsNeverOpenATransaction() throws SQLException {
        assertFalse(tx.beforeStatement(true));
        assertFalse(tx.beforeStatement(true));
        assertEquals(Phase.NONE, tx.phase());
        assertFalse(tx.hasWork());
    }

    @Test
    void theFirstStatementOutsideAutocommitMakesItActiveAndTheNextOnesSeeThat() throws SQLException {
        assertFalse(tx.beforeStatement(false), "nothing ran before the first statement");
        assertEquals(Phase.ACTIVE, tx.phase());
        assertTrue(tx.beforeStatement(false), "the second statement runs in a transaction that did work");
        tx.ended();
        assertEquals(Phase.NONE, tx.phase());
        assertFalse(tx.beforeStatement(false));
    }

    @Test
    void aConnectionLostWithNothingRunLosesNothing() throws SQLException {
        try (Connection c = someConnection()) {
            tx.connectionLost(c, true);
            assertEquals(Phase.NONE, tx.phase());
            tx.connectionLost(c, false);
            assertEquals(Phase.NONE, tx.phase());
        }
    }

    @Test
    void aReplayableTransactionWhoseConnectionIsLostWaitsForItsReplay() throws SQLException {
        try (Connection first = someConnection(); Connection second = someConnection()) {
            tx.beforeStatement(false);
            tx.connectionLost(first, true);
            assertEquals(Phase.LOST_REPLAYABLE, tx.phase());
            assertTrue(tx.replayPending() && tx.hasWork(), "COMMIT must still replay and commit it");
            assertSame(first, tx.lostOn());
            assertTrue(tx.beforeStatement(false), "statements run; the connection replays first");
            // lost again before the replay ran: the replay starts from the connection lost last
            tx.connectionLost(second, true);
            assertSame(second, tx.lostOn());
            tx.replayed();
            assertEquals(Phase.ACTIVE, tx.phase());
            assertNull(tx.lostOn());
            tx.checkCommittable();
        }
    }

    @Test
    void aTransactionThatCannotBeReplayedIsLostUntilItEnds() throws SQLException {
        try (Connection c = someConnection()) {
            tx.beforeStatement(false);
            tx.connectionLost(c, false);
            assertEquals(Phase.LOST, tx.phase());
            assertFalse(tx.hasWork());
            SQLException e = assertThrows(SQLTransactionRollbackException.class, () -> tx.beforeStatement(false));
            assertEquals("40000", e.getSQLState());
            assertTrue(e.getMessage().contains("connection was lost"), e.getMessage());
            assertThrows(SQLTransactionRollbackException.class, () -> tx.beforeStatement(true), "also after autocommit was asked for");
            tx.ended();
            assertFalse(tx.beforeStatement(false), "a new transaction starts after rollback");
        }
    }

    @Test
    void aPendingReplayWhoseLogIsNoLongerReplayableIsLost() throws SQLException {
        try (Connection a = someConnection(); Connection b = someConnection()) {
            tx.beforeStatement(false);
            tx.connectionLost(a, true);
            tx.connectionLost(b, false);
            assertEquals(Phase.LOST, tx.phase());
            assertFalse(tx.replayPending());
        }
    }

    @Test
    void commitOfALostTransactionFailsOnceWith40000() throws SQLException {
        try (Connection c = someConnection()) {
            tx.beforeStatement(false);
            tx.connectionLost(c, false);
            SQLException e = assertThrows(SQLTransactionRollbackException.class, tx::checkCommittable);
            assertEquals("40000", e.getSQLState());
            assertEquals(Phase.NONE, tx.phase(), "COMMIT ended it: the next transaction is a new one");
            tx.checkCommittable();
        }
    }

    @Test
    void theOpeningStatementRunAgainRestartsALostTransaction() throws SQLException {
        try (Connection c = someConnection()) {
            tx.beforeStatement(false);
            tx.connectionLost(c, false);
            tx.restarted();
            assertEquals(Phase.ACTIVE, tx.phase());
            assertTrue(tx.beforeStatement(false));
        }
    }

    @Test
    void anAbandonedTransactionSaysItFailedDuringRecovery() throws SQLException {
        try (Connection c = someConnection()) {
            tx.beforeStatement(false);
            tx.connectionLost(c, true);
            tx.abandoned();
            assertEquals(Phase.LOST, tx.phase());
            assertFalse(tx.replayPending());
            SQLException e = assertThrows(SQLTransactionRollbackException.class, tx::checkCommittable);
            assertTrue(e.getMessage().contains("failed during recovery"), e.getMessage());
        }
    }

    @Test
    void theApplicationsOwnTimeLimitLosesATransactionWithWorkAndNothingElse() throws SQLException {
        tx.ranOutOfOwnTime();
        assertEquals(Phase.NONE, tx.phase(), "no transaction: nothing to lose");
        tx.beforeStatement(false);
        tx.ranOutOfOwnTime();
        assertEquals(Phase.LOST, tx.phase());
        SQLException e = assertThrows(SQLTransactionRollbackException.class, () -> tx.beforeStatement(false));
        assertTrue(e.getMessage().contains("own time limit"), e.getMessage());
        try (Connection c = someConnection()) {
            tx.ended();
            tx.beforeStatement(false);
            tx.connectionLost(c, true);
            tx.ranOutOfOwnTime();
            assertEquals(Phase.LOST, tx.phase(), "a pending replay is never run after the application's own limit ran out");
        }
    }
}
