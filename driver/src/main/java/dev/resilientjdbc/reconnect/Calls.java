package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.replay.Reflective;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RetryRules;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

import dev.resilientjdbc.replay.ReplayDivergedException;
import dev.resilientjdbc.replay.TransactionLog;

/** Connection-level calls under the safety rules: which may be made again on a new physical connection. */
public final class Calls {
    private Calls() {}

    /**
     * A call with no effect on data (session getters, statement creation, metadata): on a lost
     * connection it is made again on a new one, on a busy database after a backoff.
     */
    public static Object withReconnect(LogicalConnection logical, Method method, Object[] args) throws Throwable {
        Connection[] on = {null};
        Retrier.RetryGate gate = (e, c) -> {
            if (logical.isClosed() || logical.isReconnectFailure(e)) {
                return false;
            }
            if (c == FailureClass.BUSY) {
                // SQLite reading its schema while another connection commits: wait and ask again (unless that
                // connection is this thread's own: then waiting cannot help).
                return logical.classify(e) == FailureClass.BUSY;
            }
            if (c != FailureClass.CONNECTION) {
                return false;
            }
            logical.lost(on[0]);
            return true;
        };
        return logical.retrier().statement(() -> {
            Connection p = logical.physical();
            on[0] = p;
            return Reflective.invoke(p, method, args);
        }, gate);
    }

    /**
     * commit. A transaction lost with its connection fails here (40000). A COMMIT whose reply was
     * lost is resolved: on PostgreSQL the transaction id fetched just before COMMIT is looked up with
     * {@code pg_xact_status} once the old session is gone — committed: success; aborted: the
     * transaction is replayed and committed again; otherwise SQLState 08007. A serialization failure
     * at COMMIT replays the transaction; a busy SQLite file retries the COMMIT.
     */
    public static Object commit(LogicalConnection logical, Method method) throws Throwable {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Object r = commitUntimed(logical, method);
            ok = true;
            return r;
        } finally {
            logical.retrier().guard().observer().took(dev.resilientjdbc.retry.CallObserver.Kind.COMMIT, System.nanoTime() - t0, !ok);
        }
    }

    private static Object commitUntimed(LogicalConnection logical, Method method) throws Throwable {
        logical.checkCommittable();
        try {
            if (!logical.transactionHasWork()) {
                Connection p = logical.physical();
                try {
                    return Reflective.invoke(p, method, null);
                } catch (SQLException e) {
                    if (logical.classify(e) == FailureClass.CONNECTION && !logical.isClosed()) {
                        logical.lost(p);
                        return null; // nothing ran in this transaction: there was nothing to commit
                    }
                    throw e;
                }
            }
            Object r = new CommitRun(logical, method).run();
            logical.session().commitPending();
            return r;
        } finally {
            logical.transactionEnded();
        }
    }

    /** One commit with its recovery state; the loop is the retrier's policy. */
    private static final class CommitRun {
        private final LogicalConnection logical;
        private final Method method;
        private boolean needsReplay;
        private boolean connectionLost;
        private Connection failedOn;
        private boolean decided;
        private boolean retry;
        private boolean committedAfterAll;
        // The transaction id could not be asked for because the server had aborted the transaction.
        private boolean abortedByServer;

        CommitRun(LogicalConnection logical, Method method) {
            this.logical = logical;
            this.method = method;
        }

        Object run() throws Throwable {
            if (logical.replayPending()) {
                needsReplay = true;
                connectionLost = true;
                failedOn = logical.lostPhysical();
            }
            return logical.retrier().statement(this::attempt, (e, failureClass) -> {
                if (decided) {
                    decided = false;
                    return retry;
                }
                if (logical.isClosed() || logical.isReconnectFailure(e) || e instanceof ReplayDivergedException
                        || !logical.log().replayable()) {
                    return false;
                }
                FailureClass c = logical.classify(e);
                if (c == FailureClass.CONNECTION || c == FailureClass.READ_ONLY) {
                    needsReplay = true;
                    connectionLost = true;
                    failedOn = logical.lastPhysical();
                    return true;
                }
                if (c == FailureClass.TRANSACTION) {
                    needsReplay = true;
                    connectionLost = false;
                    return true;
                }
                return false;
            });
        }

        private Object attempt() throws Throwable {
            if (needsReplay) {
                logical.replayForCommit(failedOn, connectionLost);
                needsReplay = false;
            }
            TransactionLog log = logical.log();
            Connection p = logical.physical();
            InDoubt.Ticket xid = null;
            abortedByServer = false;
            if (log.wrote()) {
                logical.noteSession();
                try {
                    xid = logical.transactionId(p);
                } catch (SQLException e) {
                    if (logical.breaksAttempt(e)) {
                        throw e;
                    }
                    // The server already aborted the transaction (25P02): COMMIT only rolls it back, as on the raw driver.
                    abortedByServer = true;
                }
            }
            try {
                return Reflective.invoke(p, method, null);
            } catch (SQLException e) {
                SQLException failure = afterFailedCommit(e, p, xid, log);
                if (committedAfterAll) {
                    return null;
                }
                throw failure;
            }
        }

        private SQLException afterFailedCommit(SQLException e, Connection p, InDoubt.Ticket xid, TransactionLog log) {
            FailureClass c = logical.classify(e);
            var stats = logical.retrier().guard().stats();
            if (RetryRules.applicationTimeLimit(e) && c == FailureClass.FATAL) {
                // The application's own time limit ran out during COMMIT: no waiting for an answer beyond it.
                if (!log.wrote()) {
                    return decide(e, false, null, p);
                }
                stats.onInDoubt();
                return decide(unknown(e), false, null, p);
            }
            if (c == FailureClass.TRANSACTION && log.replayable()) {
                return decide(e, true, false, p);
            }
            if (c == FailureClass.BUSY) {
                return decide(e, true, null, p); // SQLite: the COMMIT itself waits for the file
            }
            if (c != FailureClass.CONNECTION || logical.isClosed()) {
                return decide(e, false, null, p);
            }
            logical.lost(p);
            if (!log.wrote()) {
                committedAfterAll = true; // nothing was written: there is nothing the COMMIT could lose
                return e;
            }
            if ("08003".equals(e.getSQLState())) {
                // COMMIT never left: the database rolled the transaction back with its connection.
                if (log.replayable()) {
                    return decide(e, true, true, p);
                }
                return decide(rolledBack(e), false, null, p);
            }
            if (abortedByServer) {
                // Nothing could commit: replayed, the failure that aborted it happens again and COMMIT rolls back.
                return log.replayable() ? decide(e, true, true, p) : decide(rolledBack(e), false, null, p);
            }
            if (xid == null) {
                stats.onInDoubt();
                return decide(unknown(e), false, null, p);
            }
            switch (logical.outcomeOfLostCommit(p, xid)) {
                case COMMITTED:
                    committedAfterAll = true;
                    return e;
                case ABORTED:
                    return log.replayable() ? decide(e, true, true, p) : decide(rolledBack(e), false, null, p);
                default:
                    stats.onInDoubt();
                    return decide(unknown(e), false, null, p);
            }
        }

        private SQLException decide(SQLException e, boolean again, Boolean replayAfterLoss, Connection p) {
            decided = true;
            retry = again;
            if (again && replayAfterLoss != null) {
                needsReplay = true;
                connectionLost = replayAfterLoss;
                failedOn = p;
            }
            return e;
        }

        private SQLException unknown(SQLException cause) {
            return new SQLException("resilient-jdbc: the connection to " + logical.retrier().guard().name()
                    + " was lost during COMMIT and whether the transaction committed cannot be known"
                    + " (transaction resolution unknown)", "08007", cause);
        }

        private static SQLException rolledBack(SQLException cause) {
            return new SQLTransactionRollbackException("resilient-jdbc: the connection was lost before COMMIT completed and"
                    + " the database rolled the transaction back; it could not be replayed", "40000", cause);
        }
    }

    /** rollback: on a lost connection the database has already rolled back; that is success. */
    public static Object rollback(LogicalConnection logical, Method method) throws Throwable {
        Connection p = logical.isClosed() ? logical.lastPhysical() : logical.physicalIfAlive();
        if (p == null) {
            logical.transactionEnded();
            return null; // the connection is already gone, and its transaction with it
        }
        try {
            return Reflective.invoke(p, method, null);
        } catch (SQLException e) {
            if (logical.classify(e) == FailureClass.CONNECTION && !logical.isClosed()) {
                logical.lost(p);
                return null;
            }
            throw e;
        } finally {
            logical.transactionEnded();
        }
    }
}
