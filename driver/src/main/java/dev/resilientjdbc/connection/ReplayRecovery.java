package dev.resilientjdbc.connection;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.ReplayDivergedException;
import dev.resilientjdbc.replay.TransactionLog;
import dev.resilientjdbc.retry.ReplayTurns;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.Retrier;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Recovery of one logical connection's explicit transaction by replay, beside the commit protocol: after a
 * lost connection, a deadlock, a serialization failure or a read-only server, the transaction is rolled back
 * (or its connection replaced), replayed from its log and verified, and the failed call made again — the
 * application never knows. A replay that diverges throws SQLState 40001. What may run again is
 * {@link RerunRules}'s to say; where the transaction stands is {@code TransactionState}'s; which physical
 * connection is current is the {@link PhysicalLink}'s. Made at a connection's first failure in a transaction.
 */
final class ReplayRecovery {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.connection");
    private final LogicalConnection logical;
    private final Retrier retrier;

    ReplayRecovery(LogicalConnection logical) {
        this.logical = logical;
        this.retrier = logical.retrier();
    }

    /** The transaction was lost with {@code lostOn} between calls: it is replayed, then {@code call} is made. */
    Object replayThen(Connection lostOn, Retrier.SqlCall<?> call) throws Throwable {
        return recoverByReplay(new SQLException("connection lost between calls", "08006"), FailureClass.CONNECTION, lostOn, call);
    }

    /** {@code call}, a call of the explicit transaction, failed with {@code first} on {@code on}. */
    Object afterFailure(SQLException first, Connection on, Retrier.SqlCall<?> call, LogicalStatement statement, boolean hadWork)
            throws Throwable {
        FailureClass c = logical.failed(first);
        // BUSY inside a transaction (SQLite's lock upgrade refused, PostgreSQL's lock_not_available) leaves a
        // transaction that must not simply wait: it is rolled back, releasing its locks, and replayed after a backoff.
        if (logical.isClosed() || !RerunRules.breaksAttempt(c) || first instanceof ReplayDivergedException) {
            throw first;
        }
        if (!logical.log().replayable()) {
            if (c == FailureClass.CONNECTION) {
                logical.lost(on);
                if (RerunRules.restartsTransaction(c, hadWork, statement == null || statement.recipe().repeatable())) {
                    // Started afresh on a new connection — opened first, so that the statement is made again
                    // on it rather than run on the lost one.
                    logical.restartTransaction();
                    return retrier.statement(() -> {
                        logical.physical();
                        logical.awaitReplays(); // after the reconnect, which may have waited out the whole outage
                        return call.call();
                    }, (e, cls) -> false);
                }
            }
            throw first;
        }
        return recoverByReplay(first, c, on, call);
    }

    private Object recoverByReplay(SQLException first, FailureClass firstClass, Connection failedOn, Retrier.SqlCall<?> call)
            throws Throwable {
        // Only a lost connection (an incident: others lost theirs too) holds new work back; a deadlock or
        // serialization victim replays among the other transactions, as it would have run.
        if (firstClass != FailureClass.CONNECTION && firstClass != FailureClass.READ_ONLY) {
            return replayThenCall(firstClass, failedOn, call, null);
        }
        try (ReplayTurns.Turn turn = retrier.guard().replayTurns().begin()) {
            return replayThenCall(firstClass, failedOn, call, turn);
        }
    }

    private Object replayThenCall(FailureClass firstClass, Connection failedOn, Retrier.SqlCall<?> call, ReplayTurns.Turn turn)
            throws Throwable {
        Connection[] on = {failedOn};
        boolean[] connectionLost = {firstClass == FailureClass.CONNECTION || firstClass == FailureClass.READ_ONLY};
        Retrier.RetryGate gate = (e, failureClass) -> {
            if (logical.isClosed() || logical.isReconnectFailure(e) || e instanceof ReplayDivergedException) {
                return false;
            }
            RerunRules.Replay how = RerunRules.replay(logical.failed(e), logical.log().replayable(), false);
            if (how == RerunRules.Replay.AFTER_LOSS) {
                connectionLost[0] = true;
            }
            return how != RerunRules.Replay.NO;
        };
        // Set once the replay succeeded and the call itself failed: its own error, not one of the replay's.
        SQLException[] callsOwn = {null};
        Retrier.SqlCall<Object> replayThenCall = () -> {
            boolean lostIt = connectionLost[0];
            connectionLost[0] = false;
            callsOwn[0] = null;
            replayOnce(on, lostIt);
            if (turn != null) {
                // Back where it was; the call goes on once the other interrupted transactions are back too.
                turn.replayed();
                logical.awaitReplays();
            }
            try {
                return call.call();
            } catch (SQLException e) {
                callsOwn[0] = e;
                throw e;
            }
        };
        try {
            return retrier.statement(replayThenCall, gate);
        } catch (ReplayDivergedException diverged) {
            retrier.guard().stats().onDiverged();
            abandonTransaction();
            throw diverged;
        } catch (SQLException e) {
            if (e == callsOwn[0] && !logical.breaksAttempt(e)) {
                // The transaction was replayed and then the call failed on its own (a duplicate key, ...): the
                // application gets that error with the transaction as it would be on a healthy run.
                throw e;
            }
            if (logical.classify(e) == FailureClass.CONNECTION) {
                logical.lost(on[0]);
            }
            abandonTransaction();
            throw e;
        }
    }

    /**
     * Replaces (connection lost) or rolls back (deadlock, serialization, busy) the physical connection,
     * then replays the log on it. {@code on[0]} is the connection the last attempt ran on, and becomes
     * the one this replay runs on, so that a failure during the replay is pinned on the right one.
     */
    private void replayOnce(Connection[] on, boolean connectionLost) throws SQLException {
        Connection failedOn = on[0];
        if (connectionLost) {
            logical.lost(failedOn);
        }
        Connection p = logical.physical();
        on[0] = p;
        if (connectionLost) {
            logical.endOldBackend(failedOn, p);
        } else {
            p.rollback();
        }
        TransactionLog log = logical.log();
        int calls = log.size();
        log.replay(p, logical::breaksAttempt);
        logical.noteSession();
        logical.tx().replayed();
        if (calls > 0) {
            retrier.guard().stats().onReplayed(); // a transaction lost at its first call restarts: nothing was replayed
        }
        LOG.log(Level.FINE, "resilient-jdbc: replayed a transaction of {0} calls on {1}", new Object[]{calls, retrier.guard().name()});
    }

    /** The transaction cannot go on: it is rolled back, and further statements fail until the application rolls back. */
    private void abandonTransaction() {
        Connection p = logical.physicalIfAlive();
        if (p != null) {
            try {
                p.rollback();
            } catch (SQLException ignored) {
                // the connection may be gone as well; the database rolls back then
            }
        }
        logical.log().markNotReplayable("the transaction failed");
        logical.tx().abandoned();
    }

    /** Replays the whole transaction on a fresh start of the current physical connection (used by commit). */
    void replayForCommit(Connection failedOn, boolean connectionLost, ReplayTurns.Turn held) throws SQLException {
        if (held != null) {
            replayOnce(new Connection[]{failedOn}, connectionLost);
            held.replayed();
            logical.awaitReplays(); // COMMIT goes on once the other interrupted transactions are back too
            return;
        }
        if (!connectionLost) {
            replayOnce(new Connection[]{failedOn}, false);
            return;
        }
        try (ReplayTurns.Turn turn = retrier.guard().replayTurns().begin()) {
            replayOnce(new Connection[]{failedOn}, true);
            turn.replayed();
            logical.awaitReplays(); // COMMIT goes on once the other interrupted transactions are back too
        }
    }
}
