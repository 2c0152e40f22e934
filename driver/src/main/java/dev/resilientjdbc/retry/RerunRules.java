package dev.resilientjdbc.retry;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.classify.GenericClassifier;

import java.net.SocketTimeoutException;

/**
 * The one answer to "may this call run again?" — DESIGN.md's safety rules as pure decisions over
 * what is known about a failure, for connects, statements, connection calls without effect,
 * transaction replay and COMMIT. Nothing the application observes may differ from one healthy
 * execution: when a rule cannot be sure, the answer is no (or, for a write whose fate is unknown,
 * 08007). The callers gather the facts and carry out the verdicts; none of them decides on its own.
 */
public final class RerunRules {
    private RerunRules() {}

    // ---- connects ----

    /** A connect that was refused, found the server starting or overloaded, or the file busy, can simply be tried again. */
    public static boolean connectMayRetry(FailureClass c) {
        return c == FailureClass.CONNECTION || c == FailureClass.RESOURCE || c == FailureClass.BUSY;
    }

    /**
     * The application's own time limit ran out: the real driver's read timed out (pgjdbc's
     * {@code socketTimeout}, {@code Connection.setNetworkTimeout}) and it gave up on the connection.
     * Running the call again would stretch a limit the application chose: never.
     */
    public static boolean applicationTimeLimit(Throwable e) {
        return GenericClassifier.inCauseChain(e, t -> t instanceof SocketTimeoutException);
    }

    // ---- statements ----

    /** What a failed statement execution may do next. */
    public enum StatementVerdict {
        /** Run it again (on a new connection when it was lost). */
        RUN_AGAIN,
        /** Run it again on a new connection as the first statement of a transaction that starts afresh. */
        RESTART_TRANSACTION,
        /** A write whose outcome cannot be known: the application gets 08007. */
        OUTCOME_UNKNOWN,
        /** The application gets the failure. */
        NO
    }

    /**
     * What is known about a statement execution that failed with class {@code c}.
     *
     * @param stillThatClass   the connection's own reading of the failure agrees with {@code c} (a busy file held
     *                         by this thread's other connection, or a read-only session, is not a reason to wait)
     * @param autoCommit       the statement ran in autocommit
     * @param firstInTransaction nothing ran before it in its explicit transaction
     * @param repeatable       it can be sent again (no stream parameter already consumed)
     * @param notSent          the driver refused before sending (its connection was known closed)
     * @param harmless         a read or a session setting: repeating it is invisible
     * @param uncommitted      it ran in a transaction of its own that certainly did not commit (exactly-once writes)
     */
    public record StatementFacts(FailureClass c, boolean stillThatClass, boolean autoCommit, boolean firstInTransaction,
                                 boolean repeatable, boolean notSent, boolean harmless, boolean uncommitted) {}

    public static StatementVerdict statement(StatementFacts f) {
        switch (f.c()) {
            case TRANSACTION:
            case BUSY:
                // The server rolled the statement back whole; inside an explicit transaction that is replay's job.
                return f.autoCommit() && f.stillThatClass() ? StatementVerdict.RUN_AGAIN : StatementVerdict.NO;
            case CONNECTION:
                if (!f.repeatable()) {
                    return StatementVerdict.NO; // a stream parameter cannot be sent twice
                }
                if (!f.autoCommit()) {
                    return restartsTransaction(f.c(), !f.firstInTransaction(), f.repeatable())
                            ? StatementVerdict.RESTART_TRANSACTION : StatementVerdict.NO;
                }
                if (f.notSent() || f.harmless() || f.uncommitted()) {
                    return StatementVerdict.RUN_AGAIN; // nothing reached the server, or what it did is invisible
                }
                return StatementVerdict.OUTCOME_UNKNOWN;
            default:
                return StatementVerdict.NO;
        }
    }

    /**
     * A call of an explicit transaction failed with class {@code c} and the transaction is not recovered by
     * replay. A transaction that had done nothing before the call ({@code hadWork} false) can never commit
     * without us: on a lost connection it starts afresh on a new one with the call as its first, when the
     * call can be sent again. One that had work is lost (replay's to recover, when it can).
     */
    public static boolean restartsTransaction(FailureClass c, boolean hadWork, boolean repeatable) {
        return c == FailureClass.CONNECTION && !hadWork && repeatable;
    }

    /**
     * The call was refused before anything was sent: the real driver's own "connection closed" (08003), or
     * the embedded pool's stand-in for a connection it closed after a failure. Sending it again is safe.
     */
    public static boolean refusedBeforeSending(java.sql.SQLException e) {
        return "08003".equals(e.getSQLState()) || dev.resilientjdbc.classify.GenericClassifier.closedByThePool(e);
    }

    /**
     * An autocommit batch lost its connection. Only a batch the driver refused before sending it (its
     * connection known closed, {@code 08003}) runs again, and only when it can be sent again; any other
     * may have committed in part: never run again blind, never the raw I/O error, but 08007.
     */
    public static StatementVerdict autocommitBatch(boolean notSent, boolean repeatable) {
        return notSent && repeatable ? StatementVerdict.RUN_AGAIN : StatementVerdict.OUTCOME_UNKNOWN;
    }

    /**
     * A connection call with no effect on data (session getters, statement creation, metadata): made
     * again on a new connection when the old one was lost, after a backoff when the database is busy
     * ({@code stillBusy}: the connection agrees it is someone else's lock).
     */
    public static boolean callWithoutEffect(FailureClass c, boolean stillBusy) {
        return c == FailureClass.CONNECTION || c == FailureClass.BUSY && stillBusy;
    }

    // ---- transactions ----

    /** How a transaction is recovered, if at all. */
    public enum Replay {
        /** Replace the lost connection, replay the transaction on the new one. */
        AFTER_LOSS,
        /** Roll the connection back (deadlock, serialization failure, busy), replay on it. */
        AFTER_ROLLBACK,
        /** Not recoverable by replay. */
        NO
    }

    /**
     * A call of an explicit transaction, or a replay of it, failed with class {@code c}. {@code atCommit}:
     * the failure came while COMMIT was being made (a busy file there waits at the COMMIT itself, not by replay).
     */
    public static Replay replay(FailureClass c, boolean replayable, boolean atCommit) {
        if (!replayable) {
            return Replay.NO;
        }
        switch (c) {
            case CONNECTION:
            case READ_ONLY: // a server that became read-only (a standby): another connection may reach the primary
                return Replay.AFTER_LOSS;
            case TRANSACTION:
                return Replay.AFTER_ROLLBACK;
            case BUSY:
                return atCommit ? Replay.NO : Replay.AFTER_ROLLBACK;
            default:
                return Replay.NO;
        }
    }

    /** The classes recovery deals with (replay, reconnect, backoff), as opposed to an answer of the database to the call. */
    public static boolean breaksAttempt(FailureClass c) {
        return c == FailureClass.CONNECTION || c == FailureClass.TRANSACTION || c == FailureClass.BUSY || c == FailureClass.READ_ONLY;
    }

    // ---- COMMIT ----

    /** What a failed COMMIT leads to. */
    public enum CommitVerdict {
        /** The application gets the failure as it is. */
        FAIL,
        /** Wait and send COMMIT again (a busy SQLite file). */
        RETRY_COMMIT,
        /** Roll back, replay the transaction, COMMIT again. */
        REPLAY_AFTER_ROLLBACK,
        /** The connection is lost and nothing committed: replay on a new connection, COMMIT again. */
        REPLAY_AFTER_LOSS,
        /** The transaction committed (or wrote nothing, so there was nothing to lose): success. */
        SUCCEEDED,
        /** The database rolled it back and it cannot be replayed: 40000. */
        ROLLED_BACK,
        /** Whether it committed cannot be known: 08007. */
        UNKNOWN,
        /** The reply was lost after COMMIT left: ask the database what became of the transaction. */
        ASK_DATABASE
    }

    /**
     * What is known about a failed COMMIT.
     *
     * @param ownTimeLimit     the application's own time limit ran out during COMMIT
     * @param closed           the application closed or aborted the connection meanwhile
     * @param wrote            the transaction wrote something
     * @param replayable       its log can be replayed
     * @param notSent          COMMIT never left (the connection was known closed, 08003)
     * @param abortedByServer  the server had already aborted the transaction (its ticket could not be fetched)
     * @param hasTicket        its ticket (transaction id) was fetched before COMMIT, so the database can be asked
     */
    public record CommitFacts(FailureClass c, boolean ownTimeLimit, boolean closed, boolean wrote, boolean replayable,
                              boolean notSent, boolean abortedByServer, boolean hasTicket) {}

    public static CommitVerdict commit(CommitFacts f) {
        if (f.ownTimeLimit() && f.c() == FailureClass.FATAL) {
            // No waiting for an answer beyond the application's own limit: a transaction that wrote is in doubt.
            return f.wrote() ? CommitVerdict.UNKNOWN : CommitVerdict.FAIL;
        }
        if (f.c() == FailureClass.TRANSACTION && f.replayable()) {
            return CommitVerdict.REPLAY_AFTER_ROLLBACK;
        }
        if (f.c() == FailureClass.BUSY) {
            return CommitVerdict.RETRY_COMMIT; // SQLite: the COMMIT itself waits for the file
        }
        if (f.c() != FailureClass.CONNECTION || f.closed()) {
            return CommitVerdict.FAIL;
        }
        if (!f.wrote()) {
            return CommitVerdict.SUCCEEDED; // nothing was written: there is nothing the COMMIT could lose
        }
        if (f.notSent() || f.abortedByServer()) {
            // COMMIT never left, or nothing could commit: the database rolled the transaction back.
            return f.replayable() ? CommitVerdict.REPLAY_AFTER_LOSS : CommitVerdict.ROLLED_BACK;
        }
        return f.hasTicket() ? CommitVerdict.ASK_DATABASE : CommitVerdict.UNKNOWN;
    }

    /** The database's answer about a transaction whose COMMIT reply was lost. */
    public enum InDoubtOutcome { COMMITTED, ABORTED, UNKNOWN }

    /** What settled the outcome of a lost COMMIT; each is counted as {@code indoubt.by.<metricName>}. */
    public enum InDoubtEvidence {
        /** Same server run as the transaction id came from: the database's transaction status is about this transaction (fallback). */
        XACT_STATUS("xactStatus"),
        /** The commit marker row written with the COMMIT (resilient.indoubt.marker): this transaction's number, or the old session proven gone without it. */
        MARKER("marker"),
        /** After a restart: the database proves the id was never made durable, or that it did not commit. */
        NOT_COMMITTED("notCommitted"),
        /** After a restart the id reads "committed", which may be another transaction that was given the same id: 08007. */
        RESTARTED("restarted"),
        /** No answer could be had (no new connection, the old session still running, a failed query): 08007. */
        NO_ANSWER("noAnswer");

        private final String metricName;

        InDoubtEvidence(String metricName) {
            this.metricName = metricName;
        }

        public String metricName() {
            return metricName;
        }
    }

    /** An outcome and what established it. */
    public record InDoubtAnswer(InDoubtOutcome outcome, InDoubtEvidence evidence) {
        public static final InDoubtAnswer NO_ANSWER = new InDoubtAnswer(InDoubtOutcome.UNKNOWN, InDoubtEvidence.NO_ANSWER);
    }

    /** A fact the database is asked for only when a rule needs it. */
    @FunctionalInterface
    public interface LazyFact {
        boolean holds() throws java.sql.SQLException;
    }

    /**
     * What a transaction id's status proves about a lost COMMIT. On the same server run the status is
     * this transaction's: committed or aborted settles it, anything else (still in progress: the old
     * session did not end) does not. After a restart only "did not commit" can be proven: a status other
     * than committed (a durable id is never handed out again, so it is this transaction's, or proves it
     * never became durable), or an id at or beyond the last checkpoint's next id ({@code beyondCheckpoint},
     * asked only then: never durable). "Committed" after a restart may be another transaction given the
     * same id: unknown.
     *
     * @param status  {@code pg_xact_status}'s answer, or {@code unassigned} for an id not handed out yet
     * @param sameRun the server has not restarted since the id was fetched
     */
    public static InDoubtAnswer byTransactionStatus(String status, boolean sameRun, LazyFact beyondCheckpoint)
            throws java.sql.SQLException {
        if (sameRun) {
            if ("committed".equals(status)) {
                return new InDoubtAnswer(InDoubtOutcome.COMMITTED, InDoubtEvidence.XACT_STATUS);
            }
            if ("aborted".equals(status)) {
                return new InDoubtAnswer(InDoubtOutcome.ABORTED, InDoubtEvidence.XACT_STATUS);
            }
            return InDoubtAnswer.NO_ANSWER;
        }
        if (!"committed".equals(status) || beyondCheckpoint.holds()) {
            return new InDoubtAnswer(InDoubtOutcome.ABORTED, InDoubtEvidence.NOT_COMMITTED);
        }
        return new InDoubtAnswer(InDoubtOutcome.UNKNOWN, InDoubtEvidence.RESTARTED);
    }

    public static CommitVerdict afterInDoubt(InDoubtOutcome outcome, boolean replayable) {
        switch (outcome) {
            case COMMITTED:
                return CommitVerdict.SUCCEEDED;
            case ABORTED:
                return replayable ? CommitVerdict.REPLAY_AFTER_LOSS : CommitVerdict.ROLLED_BACK;
            default:
                return CommitVerdict.UNKNOWN;
        }
    }
}
