package dev.resilientjdbc.transaction;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

/**
 * Where the application's explicit transaction stands, and every way it can move on: the one place
 * that knows whether the transaction did work, was lost with its connection, must be replayed before
 * the next call, or is gone for good (40000 until the application rolls back). The connection reads
 * and moves it; nothing else keeps a copy. One volatile field: a reader sees one whole state.
 *
 * <pre>
 *   NONE ──statement (not autocommit)──▶ ACTIVE ──commit / rollback / autocommit on──▶ NONE
 *   ACTIVE, LOST_REPLAYABLE ──connection lost, log replayable──▶ LOST_REPLAYABLE ──replayed──▶ ACTIVE
 *   ACTIVE, LOST_REPLAYABLE ──connection lost, not replayable──▶ LOST(CONNECTION)
 *   ACTIVE, LOST_REPLAYABLE ──replay failed or diverged──▶ LOST(ABANDONED)
 *   ACTIVE, LOST_REPLAYABLE ──the application's own time limit ran out──▶ LOST(OWN_TIME_LIMIT)
 *   LOST ──the statement that opens the transaction runs again on a new connection──▶ ACTIVE
 *   any ──ended──▶ NONE;  LOST ──commit──▶ NONE with 40000
 * </pre>
 */
public final class TransactionState {
    /** The phases of a transaction. */
    public enum Phase {
        /** No explicit transaction has run anything (or autocommit). */
        NONE,
        /** The transaction ran something on the current physical connection. */
        ACTIVE,
        /** Its connection was lost between calls; it is replayed on a new one before the next call or COMMIT. */
        LOST_REPLAYABLE,
        /** The database rolled it back and it cannot be replayed: statements and COMMIT fail with 40000 until it ends. */
        LOST
    }

    /** Why a transaction is {@link Phase#LOST}: the application's 40000 says which. */
    public enum Cause {
        CONNECTION, ABANDONED, OWN_TIME_LIMIT
    }

    private static final State NONE = new State(Phase.NONE, null, null, null);
    private static final State ACTIVE = new State(Phase.ACTIVE, null, null, null);

    private volatile State state = NONE;

    /** One immutable state: phase, the connection a pending replay lost, the cause of a loss. */
    private static final class State {
        final Phase phase;
        final Connection lostOn;
        final Cause cause;
        final String notReplayableBecause; // CONNECTION: why replay was off, said in the 40000 (null: not known)

        State(Phase phase, Connection lostOn, Cause cause, String notReplayableBecause) {
            this.phase = phase;
            this.lostOn = lostOn;
            this.cause = cause;
            this.notReplayableBecause = notReplayableBecause;
        }
    }

    public Phase phase() {
        return state.phase;
    }

    /** Whether the transaction ran something that COMMIT must take care of (also when a replay is pending). */
    public boolean hasWork() {
        Phase p = state.phase;
        return p == Phase.ACTIVE || p == Phase.LOST_REPLAYABLE;
    }

    /** Nothing has run in the transaction (or it ended): committing it has nothing to settle. */
    public boolean untouched() {
        return state.phase == Phase.NONE;
    }

    /** Whether the transaction must be replayed before anything else runs in it. */
    public boolean replayPending() {
        return state.phase == Phase.LOST_REPLAYABLE;
    }

    /** The physical connection a pending replay lost, or null. */
    public Connection lostOn() {
        return state.lostOn;
    }

    /**
     * A statement is about to run: fails with 40000 when the transaction is lost; otherwise returns
     * whether it had done work before, and (outside autocommit) marks that it now has.
     */
    public boolean beforeStatement(boolean autoCommit) throws SQLException {
        State s = state;
        if (s.phase == Phase.LOST) {
            throw lost(s);
        }
        boolean had = s.phase != Phase.NONE;
        if (!autoCommit && !had) {
            state = ACTIVE;
        }
        return had;
    }

    /** The transaction's physical connection {@code which} was lost. */
    public void connectionLost(Connection which, boolean replayable) {
        connectionLost(which, replayable, null);
    }

    /**
     * The transaction's physical connection {@code which} was lost; {@code notReplayableBecause}, when it cannot be
     * replayed, says why (the transaction log's reason), so that the application's 40000 tells the user.
     */
    public void connectionLost(Connection which, boolean replayable, String notReplayableBecause) {
        if (!hasWork()) {
            return; // nothing ran (nothing to lose), or it is lost already
        }
        // Lost again before a pending replay ran: the replay starts from the connection lost last.
        state = replayable ? new State(Phase.LOST_REPLAYABLE, which, null, null)
                : new State(Phase.LOST, null, Cause.CONNECTION, notReplayableBecause);
    }

    /** The statement that opens the transaction runs again on a new connection: the transaction starts afresh. */
    public void restarted() {
        state = ACTIVE;
    }

    /** The transaction was replayed on a new or rolled-back connection and goes on there. */
    public void replayed() {
        state = ACTIVE;
    }

    /** Replay failed or diverged: the transaction was rolled back and cannot go on. */
    public void abandoned() {
        state = new State(Phase.LOST, null, Cause.ABANDONED, null);
    }

    /** The application's own time limit ran out and its connection was dropped: the transaction is gone, never replayed. */
    public void ranOutOfOwnTime() {
        if (hasWork()) {
            state = new State(Phase.LOST, null, Cause.OWN_TIME_LIMIT, null);
        }
    }

    /** COMMIT: throws 40000 when the transaction was lost (the caller then ends it). */
    public void checkCommittable() throws SQLException {
        State s = state;
        if (s.phase == Phase.LOST) {
            state = NONE;
            throw lost(s);
        }
    }

    /** commit, rollback or a switch to autocommit ended the transaction. */
    public void ended() {
        state = NONE;
    }

    private static SQLException lost(State s) {
        String why;
        switch (s.cause) {
            case ABANDONED:
                why = "the transaction failed during recovery and was rolled back";
                break;
            case OWN_TIME_LIMIT:
                why = "the application's own time limit ran out, its connection was closed and the database rolled the"
                        + " transaction back";
                break;
            default:
                why = "the connection was lost in the middle of this transaction, and the database rolled the transaction back"
                        + (s.notReplayableBecause == null ? "" : "; it could not be replayed: " + s.notReplayableBecause);
        }
        return new SQLTransactionRollbackException("resilient-jdbc: " + why + "; call rollback() and run the transaction again",
                "40000");
    }

    @Override
    public String toString() {
        State s = state;
        return s.phase + (s.cause != null ? "(" + s.cause + ")" : "");
    }
}
