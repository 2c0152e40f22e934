package dev.resilientjdbc.connection;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.Reflective;
import dev.resilientjdbc.replay.ReplayDivergedException;
import dev.resilientjdbc.replay.TransactionLog;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.ReplayTurns;
import dev.resilientjdbc.dialect.CommitMarkers;
import dev.resilientjdbc.dialect.InDoubt;
import dev.resilientjdbc.dialect.PostgresInDoubt;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

/**
 * The commit protocol of one logical connection, in one place: COMMIT of an explicit transaction
 * with its recovery (replay on a lost connection or serialization failure, the transaction's ticket
 * fetched before COMMIT, a lost reply resolved in doubt by the dialect — committed, aborted and
 * replayed, or 08007), and autocommit writes made exactly-once by running each in a transaction of
 * its own under the same protocol. Where the transaction stands is {@code TransactionState}'s; what
 * may run again is decided by the gates and rules it consults.
 */
public final class CommitProtocol {
    private static final int LOOKUP_ATTEMPTS = 4;
    private final LogicalConnection logical;
    private final InDoubt inDoubt;
    // This connection's commit marker row, when resilient.indoubt.marker is on; given back on close.
    private final CommitMarkers.Holder marker = new CommitMarkers.Holder();
    // A lost COMMIT is being settled on this connection's marker row. A close() from another thread meanwhile (abort)
    // must not hand the row to another connection: the fence may still write it (see release()).
    private volatile boolean settling;

    CommitProtocol(LogicalConnection logical, InDoubt inDoubt) {
        this.logical = logical;
        this.inDoubt = inDoubt;
    }

    /** The connection closes: its marker row goes back to the JVM's pool of rows. */
    void release() {
        if (settling) {
            marker.abandon(); // the row stays this settlement's; the JVM makes a new one for the next connection
        } else {
            marker.release();
        }
    }

    /**
     * commit. A transaction lost with its connection fails here (40000). A COMMIT whose reply was
     * lost is resolved: on PostgreSQL the transaction id fetched just before COMMIT is looked up with
     * {@code pg_xact_status} once the old session is gone — committed: success; aborted: the
     * transaction is replayed and committed again; otherwise SQLState 08007. A serialization failure
     * at COMMIT replays the transaction; a busy SQLite file retries the COMMIT.
     */
    public Object commit(Method method) throws Throwable {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Object r = commitUntimed(method);
            ok = true;
            return r;
        } finally {
            long t1 = System.nanoTime();
            logical.retrier().guard().observer().took(CallObserver.Kind.COMMIT, t1 - t0, !ok, t1);
        }
    }

    private Object commitUntimed(Method method) throws Throwable {
        logical.checkCommittable();
        try {
            if (!logical.transactionHasWork()) {
                Connection p = logical.physical();
                try {
                    return Reflective.invoke(p, method, null);
                } catch (SQLException e) {
                    if (logical.failed(e) == FailureClass.CONNECTION && !logical.isClosed()) {
                        logical.lost(p);
                        return null; // nothing ran in this transaction: there was nothing to commit
                    }
                    throw e;
                }
            }
            Object r = new CommitRun(method).run();
            logical.session().commitPending();
            return r;
        } finally {
            logical.transactionEnded();
        }
    }

    /** A replay the next COMMIT attempt makes first: after a lost connection (on a new one) or after a rollback. */
    private record Replay(boolean afterLoss, Connection failedOn) {
    }

    /**
     * What one failed COMMIT attempt comes to: committed after all (no failure), or the failure the application
     * gets unless the attempt is made again, whether it is, and the replay that goes first.
     */
    private record Outcome(SQLException failure, boolean again, Replay replay) {
        static final Outcome COMMITTED = new Outcome(null, false, null);

        static Outcome fail(SQLException failure) {
            return new Outcome(failure, false, null);
        }

        static Outcome retry(SQLException failure, Replay replay) {
            return new Outcome(failure, true, replay);
        }
    }

    /** One commit with its recovery state; the loop is the retrier's policy. */
    private final class CommitRun {
        private final Method method;
        // The replay the next attempt makes first; null when there is none.
        private Replay replay;
        // The outcome the last attempt settled on, for the retry gate to act on (the gate sees only the failure).
        private Outcome settled;
        // The marker write was refused in this transaction (it is read-only after all): its replay commits without one.
        private boolean markerRefused;
        // Held from the moment the COMMIT's connection is known lost until its replay went through (or the run
        // ends): new work on the target waits for it (see ReplayTurns).
        private ReplayTurns.Turn turn;

        CommitRun(Method method) {
            this.method = method;
        }

        private void holdTurn() {
            if (turn == null) {
                turn = logical.retrier().guard().replayTurns().begin();
            }
        }

        Object run() throws Throwable {
            try {
                return runUnderTurn();
            } finally {
                if (turn != null) {
                    turn.close();
                }
            }
        }

        private Object runUnderTurn() throws Throwable {
            if (logical.replayPending()) {
                replay = new Replay(true, logical.lostPhysical());
                holdTurn();
            }
            return logical.retrier().statement(this::attempt, (e, failureClass) -> {
                Outcome o = settled;
                if (o != null) {
                    settled = null;
                    if (o.again() && o.replay() != null) {
                        replay = o.replay();
                    }
                    return o.again();
                }
                if (logical.isClosed() || logical.isReconnectFailure(e) || e instanceof ReplayDivergedException) {
                    return false;
                }
                switch (RerunRules.replay(logical.failed(e), logical.log().replayable(), true)) {
                    case AFTER_LOSS:
                        replay = new Replay(true, logical.lastPhysical());
                        holdTurn();
                        return true;
                    case AFTER_ROLLBACK:
                        replay = new Replay(false, null);
                        return true;
                    default:
                        return false;
                }
            });
        }

        private Object attempt() throws Throwable {
            Replay r = replay;
            if (r != null) {
                logical.replayForCommit(r.failedOn(), r.afterLoss(), turn);
                replay = null;
            }
            TransactionLog log = logical.log();
            Connection p = logical.physical();
            InDoubt.Ticket ticket = null;
            // The transaction id could not be asked for because the server had aborted the transaction.
            boolean abortedByServer = false;
            // The server says the transaction wrote nothing (an empty batch counts as a write here, and sends nothing).
            boolean nothingWritten = false;
            if (log.wrote()) {
                logical.noteSession();
                // The marker goes with the COMMIT only where a refused marker write can be made good by a replay.
                ticket = markerRefused || !log.replayable() ? null : inDoubt.marker(p, marker);
                if (ticket != null) {
                    return commitWithMarker(p, ticket, log);
                }
                try {
                    ticket = transactionId(p);
                    if (ticket == InDoubt.NothingWritten.TICKET) {
                        nothingWritten = true;
                        ticket = null;
                    }
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
                return settle(afterFailedCommit(e, p, ticket, log.wrote() && !nothingWritten, log, abortedByServer));
            }
        }

        /** Committed after all: the COMMIT's result (none); else the outcome is kept for the gate and its failure thrown. */
        private Object settle(Outcome o) throws SQLException {
            if (o.failure() == null) {
                return null;
            }
            settled = o;
            throw o.failure();
        }

        /** The marker write and COMMIT in one round trip; a refused marker write rolls back and replays the transaction. */
        private Object commitWithMarker(Connection p, InDoubt.Ticket ticket, TransactionLog log) throws SQLException {
            try {
                inDoubt.commitWithMarker(p, ticket);
                return null;
            } catch (SQLException e) {
                if (logical.failed(e) != FailureClass.CONNECTION && inDoubt.markerFailed(p, e)) {
                    markerRefused = "25006".equals(e.getSQLState());
                    return settle(Outcome.retry(e, new Replay(false, p))); // the COMMIT never ran: roll back, replay, commit again
                }
                return settle(afterFailedCommit(e, p, ticket, log.wrote(), log, false));
            }
        }

        private Outcome afterFailedCommit(SQLException e, Connection p, InDoubt.Ticket xid, boolean wrote, TransactionLog log,
                                          boolean abortedByServer) {
            FailureClass c = logical.failed(e);
            boolean closed = logical.isClosed();
            if (c == FailureClass.CONNECTION && !closed) {
                logical.lost(p);
                holdTurn(); // settling the outcome reconnects first: the replay it may lead to comes before new work
            }
            RerunRules.CommitVerdict v = RerunRules.commit(new RerunRules.CommitFacts(c, RerunRules.applicationTimeLimit(e),
                    closed, wrote, log.replayable(), RerunRules.refusedBeforeSending(e), abortedByServer, xid != null));
            if (v == RerunRules.CommitVerdict.ASK_DATABASE) {
                v = RerunRules.afterInDoubt(outcomeOfLostCommit(p, xid), log.replayable());
            }
            switch (v) {
                case SUCCEEDED:
                    return Outcome.COMMITTED;
                case RETRY_COMMIT:
                    return Outcome.retry(e, null);
                case REPLAY_AFTER_ROLLBACK:
                    return Outcome.retry(e, new Replay(false, p));
                case REPLAY_AFTER_LOSS:
                    return Outcome.retry(e, new Replay(true, p));
                case ROLLED_BACK:
                    return Outcome.fail(rolledBack(e));
                case UNKNOWN:
                    logical.retrier().guard().stats().onInDoubt();
                    return Outcome.fail(unknown(e));
                default:
                    return Outcome.fail(e);
            }
        }

        private SQLException unknown(SQLException cause) {
            return new SQLException("resilient-jdbc: the connection to " + logical.retrier().guard().name()
                    + " was lost during COMMIT and whether the transaction committed cannot be known"
                    + " (transaction resolution unknown)", "08007", cause);
        }

        private SQLException rolledBack(SQLException cause) {
            return new SQLTransactionRollbackException("resilient-jdbc: the connection was lost before COMMIT completed and"
                    + " the database rolled the transaction back; it could not be replayed", "40000", cause);
        }
    }

    /**
     * Runs one autocommit write in a transaction of its own: BEGIN goes with the statement, then the
     * marker write with COMMIT in one round trip (or, where the marker cannot be used, the transaction
     * id, then COMMIT). A connection lost before COMMIT left nothing committed (the gate may run it
     * again); a lost COMMIT reply is resolved like an explicit transaction's: committed → the
     * statement's own result, aborted → run again, unknown → the failure (08007 from the gate). A
     * refused marker write rolls the transaction back and the statement runs again without one.
     */
    Object inOwnTransaction(Retrier.SqlCall<Object> statement, CallGate gate, Inline inline) throws Throwable {
        if (inline != null) {
            Connection p = logical.physical();
            InDoubt.Ticket ticket = inDoubt.inlineMarker(p, marker);
            if (ticket != null) {
                Object r = inOneExchange(p, ticket, inline, gate);
                if (r != REFUSED) {
                    return r;
                }
            }
        }
        try {
            return inOwnTransaction(statement, gate, true);
        } catch (MarkerRefused refused) {
            return inOwnTransaction(statement, gate, false);
        }
    }

    /**
     * What an application's statement gives an exactly-once autocommit write that may run in one exchange with its
     * evidence ({@link InDoubt#inlineText}): the write and the marker row's update in the implicit transaction of
     * one round trip, where a transaction of its own takes two.
     */
    interface Inline {
        /** The statement of the inline text on {@code p}, bound with the application's values after ours; null: not this one. */
        java.sql.PreparedStatement inlineOn(Connection p) throws SQLException;

        /** The write committed with update count {@code count}: what the application's execute call returns. */
        Object answered(long count);

        /** The inline text failed where the application's statement might not have: this statement stops trying it. */
        void refused();
    }

    private static final Object REFUSED = new Object();

    /** The text an inline write of {@code sql} runs, or null where it cannot be one (see {@link InDoubt#inlineText}). */
    String inlineText(String sql) {
        return inDoubt.inlineText(sql);
    }

    /**
     * Runs an inline write: committed, its count answered; a lost reply settled by the marker row alone (which keeps
     * the count too); failed on the server, nothing of it applied (the implicit transaction ends at the failure).
     * REFUSED: the wrapping itself may be what failed (a syntax or feature error), so the caller runs the statement
     * in a transaction of its own, where it fails or succeeds as on the raw driver.
     */
    private Object inOneExchange(Connection p, InDoubt.Ticket ticket, Inline inline, CallGate gate) throws SQLException {
        try {
            java.sql.PreparedStatement s = inline.inlineOn(p);
            if (s == null) {
                return REFUSED;
            }
            inDoubt.bindInline(s, ticket);
            // Learnt before sending: the write may be the first thing this connection sends, and a lost reply is
            // settled as "not committed" only once the session it went to is proven gone.
            logical.noteSession();
            s.execute();
            return inline.answered(inDoubt.inlineRan(s, ticket));
        } catch (SQLException e) {
            FailureClass c = logical.failed(e);
            if (c == FailureClass.CONNECTION && RerunRules.refusedBeforeSending(e)) {
                gate.uncommitted = true; // the connection was known closed: nothing went out
                throw e;
            }
            if (c == FailureClass.CONNECTION) {
                logical.lost(p);
                switch (outcomeOfLostCommit(p, ticket)) {
                    case COMMITTED:
                        long applied = inDoubt.appliedBy(ticket);
                        if (applied >= 0) {
                            return inline.answered(applied);
                        }
                        throw e; // committed, with no count to give: the gate reports 08007
                    case ABORTED:
                        gate.uncommitted = true;
                        throw e;
                    default:
                        throw e; // the gate reports it as 08007
                }
            }
            // Nothing of it applied (the implicit transaction ended at the failure). A syntax, feature or data error
            // may be the wrapping's doing, or tell of it (a position in our text, a parameter number shifted by ours):
            // the statement runs in a transaction of its own, which fails or succeeds exactly as on the raw driver.
            String state = e.getSQLState();
            if (state != null && (state.startsWith("42") || state.startsWith("0A"))) {
                inline.refused();
                return REFUSED;
            }
            if (state != null && state.startsWith("22")) {
                return REFUSED; // a data error of these values (or parameters left unbound): the next values may go inline
            }
            throw e; // the application's statement failed (a constraint, a deadlock): as on the raw driver
        }
    }

    /** The marker write failed, so the COMMIT never ran; the transaction was rolled back. */
    private static final class MarkerRefused extends Exception {
        MarkerRefused() {
            super(null, null, false, false);
        }
    }

    private Object inOwnTransaction(Retrier.SqlCall<Object> statement, CallGate gate, boolean withMarker) throws Throwable {
        Connection p = logical.physical();
        p.setAutoCommit(false);
        boolean open = true;
        try {
            Object result;
            InDoubt.Ticket ticket;
            try {
                result = statement.call();
                logical.noteSession();
                ticket = withMarker ? inDoubt.marker(p, marker) : null;
                if (ticket == null) {
                    ticket = transactionId(p);
                    if (ticket == InDoubt.NothingWritten.TICKET) {
                        ticket = null; // below: nothing written, nothing to commit
                    }
                }
            } catch (SQLException e) {
                FailureClass c = logical.failed(e);
                if (c == FailureClass.CONNECTION || RerunRules.applicationTimeLimit(e)) {
                    open = false;
                    gate.uncommitted = true; // the session died with its transaction open: the server rolled it back
                }
                throw e;
            }
            boolean marked = PostgresInDoubt.isMarker(ticket);
            try {
                if (marked) {
                    inDoubt.commitWithMarker(p, ticket);
                } else {
                    p.commit();
                }
                open = false;
                return result;
            } catch (SQLException e) {
                if (logical.failed(e) != FailureClass.CONNECTION) {
                    if (marked && inDoubt.markerFailed(p, e)) {
                        throw new MarkerRefused(); // rolled back below
                    }
                    open = false;
                    throw e; // refused at COMMIT (serialization, deferred constraint): rolled back
                }
                open = false;
                if (ticket == null) {
                    logical.lost(p);
                    return result; // the statement wrote nothing: there was nothing to commit
                }
                return resolveLostCommit(p, ticket, result, e, gate);
            }
        } finally {
            if (open) {
                try {
                    p.rollback();
                } catch (SQLException ignored) {
                    // the statement's own failure is what the application gets
                }
            }
            try {
                if (!p.isClosed()) {
                    p.setAutoCommit(true);
                }
            } catch (SQLException ignored) {
                // a dead connection: it is replaced before the next call
            }
        }
    }

    private Object resolveLostCommit(Connection p, InDoubt.Ticket xid, Object result, SQLException failure, CallGate gate) throws SQLException {
        logical.lost(p);
        switch (outcomeOfLostCommit(p, xid)) {
            case COMMITTED:
                return result;
            case ABORTED:
                gate.uncommitted = true;
                throw failure;
            default:
                throw failure; // the gate reports it as 08007
        }
    }

    /**
     * What became of transaction {@code xid}, whose COMMIT reply was lost with {@code lost}: its old
     * session is ended from a new connection, then the database is asked. UNKNOWN when no new
     * connection can be had. Resolved outcomes are counted here; the caller counts UNKNOWN as it reports it.
     */
    private RerunRules.InDoubtOutcome outcomeOfLostCommit(Connection lost, InDoubt.Ticket xid) {
        settling = true;
        try {
            // Closed before settling was seen (close() reads it after marking closed): the row may be another's already.
            return logical.isClosed() ? RerunRules.InDoubtOutcome.UNKNOWN : settle(lost, xid);
        } finally {
            settling = false;
        }
    }

    private RerunRules.InDoubtOutcome settle(Connection lost, InDoubt.Ticket xid) {
        RerunRules.InDoubtAnswer r = RerunRules.InDoubtAnswer.NO_ANSWER;
        Object oldSession = logical.sessionOf(lost); // asked before a reconnect moves it out of reach
        // A server that crashes again while we ask (restarts every few seconds) loses the new connection too:
        // asked again on another, a few times, each reconnect bounded by the connect policy.
        for (int attempt = 1; attempt <= LOOKUP_ATTEMPTS; attempt++) {
            Connection fresh = null;
            try {
                fresh = logical.physical();
                inDoubt.endOldBackend(oldSession, fresh);
                r = inDoubt.outcome(fresh, xid, oldSession);
                break;
            } catch (SQLException e) {
                if (fresh == null || logical.isClosed() || logical.failed(e) != FailureClass.CONNECTION) {
                    break; // no new connection within the connect policy, or closed by the application
                }
                logical.lost(fresh);
            }
        }
        var stats = logical.retrier().guard().stats();
        stats.onInDoubtEvidence(r.evidence().ordinal());
        if (r.outcome() == RerunRules.InDoubtOutcome.COMMITTED) {
            stats.onInDoubtCommitted();
        } else if (r.outcome() == RerunRules.InDoubtOutcome.ABORTED) {
            stats.onInDoubtAborted();
        }
        return r.outcome();
    }

    /** Before COMMIT of a writing transaction: the dialect's ticket for it (and its marker row, when markers are on). */
    private InDoubt.Ticket transactionId(Connection p) throws SQLException {
        return inDoubt.transactionId(p, marker);
    }
}
