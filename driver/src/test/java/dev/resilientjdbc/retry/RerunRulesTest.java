package dev.resilientjdbc.retry;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.RerunRules.CommitFacts;
import dev.resilientjdbc.retry.RerunRules.CommitVerdict;
import dev.resilientjdbc.retry.RerunRules.InDoubtAnswer;
import dev.resilientjdbc.retry.RerunRules.InDoubtEvidence;
import dev.resilientjdbc.retry.RerunRules.InDoubtOutcome;
import dev.resilientjdbc.retry.RerunRules.Replay;
import dev.resilientjdbc.retry.RerunRules.StatementFacts;
import dev.resilientjdbc.retry.RerunRules.StatementVerdict;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;

import static dev.resilientjdbc.classify.FailureClass.BUSY;
import static dev.resilientjdbc.classify.FailureClass.CONNECTION;
import static dev.resilientjdbc.classify.FailureClass.FATAL;
import static dev.resilientjdbc.classify.FailureClass.READ_ONLY;
import static dev.resilientjdbc.classify.FailureClass.RESOURCE;
import static dev.resilientjdbc.classify.FailureClass.TRANSACTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DESIGN.md's safety rules, one by one, as {@link RerunRules} decides them. */
class RerunRulesTest {
    /** An autocommit write whose connection died after it was sent: the baseline the cases below vary. */
    private static StatementFacts sentWrite(FailureClass c) {
        return new StatementFacts(c, true, true, false, true, false, false, false);
    }

    @Test
    void connectsAreRetriedOnlyWhereWaitingCanHelp() {
        assertTrue(RerunRules.connectMayRetry(CONNECTION));
        assertTrue(RerunRules.connectMayRetry(RESOURCE));
        assertTrue(RerunRules.connectMayRetry(BUSY));
        assertFalse(RerunRules.connectMayRetry(FATAL), "authentication, configuration: cannot get better");
        assertFalse(RerunRules.connectMayRetry(TRANSACTION));
    }

    @Test
    void theApplicationsOwnTimeLimitIsFoundAnywhereInTheCauseChain() {
        assertTrue(RerunRules.applicationTimeLimit(new SQLException("x", "08006", new IOException(new SocketTimeoutException("Read timed out")))));
        assertFalse(RerunRules.applicationTimeLimit(new SQLException("x", "08006", new IOException("Connection reset"))));
    }

    @Test
    void anAutocommitWriteLostAfterSendingIsNeverRunBlind() {
        assertEquals(StatementVerdict.OUTCOME_UNKNOWN, RerunRules.statement(sentWrite(CONNECTION)), "rule 4: 08007");
    }

    @Test
    void anAutocommitStatementRunsAgainWhenNothingOrNothingVisibleReachedTheServer() {
        assertEquals(StatementVerdict.RUN_AGAIN, RerunRules.statement(new StatementFacts(CONNECTION, true, true, false, true, true, false, false)),
                "rule 3: never sent");
        assertEquals(StatementVerdict.RUN_AGAIN, RerunRules.statement(new StatementFacts(CONNECTION, true, true, false, true, false, true, false)),
                "rule 2: a read or a session setting");
        assertEquals(StatementVerdict.RUN_AGAIN, RerunRules.statement(new StatementFacts(CONNECTION, true, true, false, true, false, false, true)),
                "exactly-once write: its own transaction certainly did not commit");
    }

    @Test
    void aStreamParameterIsNeverSentTwice() {
        assertEquals(StatementVerdict.NO, RerunRules.statement(new StatementFacts(CONNECTION, true, true, false, false, true, true, false)));
        assertEquals(StatementVerdict.NO, RerunRules.statement(new StatementFacts(CONNECTION, true, false, true, false, false, false, false)));
    }

    @Test
    void inATransactionOnlyTheOpeningStatementRestartsItTheRestIsReplays() {
        assertEquals(StatementVerdict.RESTART_TRANSACTION,
                RerunRules.statement(new StatementFacts(CONNECTION, true, false, true, true, false, false, false)));
        assertEquals(StatementVerdict.NO, RerunRules.statement(new StatementFacts(CONNECTION, true, false, false, true, false, true, false)),
                "a later statement is recovered by replaying the transaction, not by the statement gate");
    }

    @Test
    void deadlocksAndBusyFilesAreRetriedInAutocommitOnlyAndOnlyWhenTheConnectionAgrees() {
        for (FailureClass c : new FailureClass[]{TRANSACTION, BUSY}) {
            assertEquals(StatementVerdict.RUN_AGAIN, RerunRules.statement(sentWrite(c)), c + ": the server rolled the statement back whole");
            assertEquals(StatementVerdict.NO, RerunRules.statement(new StatementFacts(c, false, true, false, true, false, false, false)),
                    c + ": busy with this thread's own other transaction");
            assertEquals(StatementVerdict.NO, RerunRules.statement(new StatementFacts(c, true, false, false, true, false, false, false)),
                    c + " inside a transaction is replay's job");
        }
        assertEquals(StatementVerdict.NO, RerunRules.statement(sentWrite(FATAL)));
        assertEquals(StatementVerdict.NO, RerunRules.statement(sentWrite(READ_ONLY)), "an autocommit statement on a read-only server is not retried");
    }

    @Test
    void callsWithoutEffectRunAgainOnALostConnectionOrSomeoneElsesLock() {
        assertTrue(RerunRules.callWithoutEffect(CONNECTION, false));
        assertTrue(RerunRules.callWithoutEffect(BUSY, true));
        assertFalse(RerunRules.callWithoutEffect(BUSY, false));
        assertFalse(RerunRules.callWithoutEffect(FATAL, false));
    }

    @Test
    void replayIsForReplayableTransactionsOnly() {
        assertEquals(Replay.AFTER_LOSS, RerunRules.replay(CONNECTION, true, false));
        assertEquals(Replay.AFTER_LOSS, RerunRules.replay(READ_ONLY, true, false), "a standby: the next connection may reach the primary");
        assertEquals(Replay.AFTER_ROLLBACK, RerunRules.replay(TRANSACTION, true, false));
        assertEquals(Replay.AFTER_ROLLBACK, RerunRules.replay(BUSY, true, false));
        assertEquals(Replay.NO, RerunRules.replay(BUSY, true, true), "a busy file at COMMIT waits at the COMMIT itself");
        assertEquals(Replay.NO, RerunRules.replay(FATAL, true, false));
        for (FailureClass c : FailureClass.values()) {
            assertEquals(Replay.NO, RerunRules.replay(c, false, false), c + " with a log past its bound");
        }
    }

    private static CommitFacts commit(FailureClass c) {
        // a writing, replayable transaction whose COMMIT was sent with its ticket fetched
        return new CommitFacts(c, false, false, true, true, false, false, true);
    }

    @Test
    void aLostCommitReplyIsAskedAboutAndOnlyProofDecides() {
        assertEquals(CommitVerdict.ASK_DATABASE, RerunRules.commit(commit(CONNECTION)));
        assertEquals(CommitVerdict.SUCCEEDED, RerunRules.afterInDoubt(InDoubtOutcome.COMMITTED, true));
        assertEquals(CommitVerdict.REPLAY_AFTER_LOSS, RerunRules.afterInDoubt(InDoubtOutcome.ABORTED, true));
        assertEquals(CommitVerdict.ROLLED_BACK, RerunRules.afterInDoubt(InDoubtOutcome.ABORTED, false));
        assertEquals(CommitVerdict.UNKNOWN, RerunRules.afterInDoubt(InDoubtOutcome.UNKNOWN, true), "never a guess: 08007");
        assertEquals(CommitVerdict.UNKNOWN, RerunRules.commit(new CommitFacts(CONNECTION, false, false, true, true, false, false, false)),
                "no ticket: nobody can be asked");
    }

    @Test
    void aCommitThatNeverLeftOrCouldNotCommitIsReplayedOrRolledBack() {
        assertEquals(CommitVerdict.REPLAY_AFTER_LOSS, RerunRules.commit(new CommitFacts(CONNECTION, false, false, true, true, true, false, true)));
        assertEquals(CommitVerdict.ROLLED_BACK, RerunRules.commit(new CommitFacts(CONNECTION, false, false, true, false, true, false, true)));
        assertEquals(CommitVerdict.REPLAY_AFTER_LOSS, RerunRules.commit(new CommitFacts(CONNECTION, false, false, true, true, false, true, false)),
                "the server had aborted it: replayed, the same failure aborts it again");
    }

    @Test
    void aCommitOfATransactionThatWroteNothingCannotLoseAnything() {
        assertEquals(CommitVerdict.SUCCEEDED, RerunRules.commit(new CommitFacts(CONNECTION, false, false, false, true, false, false, false)));
    }

    @Test
    void aCommitIsNeverRecoveredOverTheApplicationsOwnChoices() {
        assertEquals(CommitVerdict.UNKNOWN, RerunRules.commit(new CommitFacts(FATAL, true, false, true, true, false, false, true)),
                "its own time limit ran out during COMMIT of a write: no waiting beyond it, 08007");
        assertEquals(CommitVerdict.FAIL, RerunRules.commit(new CommitFacts(FATAL, true, false, false, true, false, false, false)));
        assertEquals(CommitVerdict.FAIL, RerunRules.commit(new CommitFacts(CONNECTION, false, true, true, true, false, false, true)),
                "closed or aborted by the application meanwhile");
        assertEquals(CommitVerdict.FAIL, RerunRules.commit(commit(FATAL)), "a deferred constraint: the database's answer");
    }

    @Test
    void serializationFailuresReplayAndBusyFilesWaitAtCommit() {
        assertEquals(CommitVerdict.REPLAY_AFTER_ROLLBACK, RerunRules.commit(commit(TRANSACTION)));
        assertEquals(CommitVerdict.FAIL, RerunRules.commit(new CommitFacts(TRANSACTION, false, false, true, false, false, false, true)));
        assertEquals(CommitVerdict.RETRY_COMMIT, RerunRules.commit(commit(BUSY)));
    }

    @Test
    void aTransactionThatCannotBeReplayedRestartsOnlyWhenItHadDoneNothing() {
        assertTrue(RerunRules.restartsTransaction(CONNECTION, false, true), "nothing ran before: start afresh with the call");
        assertFalse(RerunRules.restartsTransaction(CONNECTION, true, true), "work before it is lost: never restarted over it");
        assertFalse(RerunRules.restartsTransaction(CONNECTION, false, false), "a stream parameter cannot be sent twice");
        for (FailureClass c : new FailureClass[]{TRANSACTION, BUSY, READ_ONLY, FATAL, RESOURCE}) {
            assertFalse(RerunRules.restartsTransaction(c, false, true), c + ": only a lost connection restarts a transaction");
        }
        // The statement rule inside a transaction is the same rule.
        assertEquals(StatementVerdict.RESTART_TRANSACTION,
                RerunRules.statement(new StatementFacts(CONNECTION, true, false, true, true, false, false, false)));
        assertEquals(StatementVerdict.NO, RerunRules.statement(new StatementFacts(CONNECTION, true, false, false, true, false, false, false)));
    }

    @Test
    void anAutocommitBatchRunsAgainOnlyWhenItNeverLeft() {
        assertEquals(StatementVerdict.RUN_AGAIN, RerunRules.autocommitBatch(true, true), "08003: refused before sending");
        assertEquals(StatementVerdict.OUTCOME_UNKNOWN, RerunRules.autocommitBatch(false, true), "sent: part of it may have committed");
        assertEquals(StatementVerdict.OUTCOME_UNKNOWN, RerunRules.autocommitBatch(true, false), "a stream parameter is consumed");
        assertEquals(StatementVerdict.OUTCOME_UNKNOWN, RerunRules.autocommitBatch(false, false));
    }

    private static final RerunRules.LazyFact NEVER_ASKED = () -> {
        throw new AssertionError("the checkpoint is asked only after a restart, for an id that reads committed");
    };

    @Test
    void onTheSameServerRunTheTransactionStatusIsTheAnswer() throws SQLException {
        assertEquals(new InDoubtAnswer(InDoubtOutcome.COMMITTED, InDoubtEvidence.XACT_STATUS),
                RerunRules.byTransactionStatus("committed", true, NEVER_ASKED));
        assertEquals(new InDoubtAnswer(InDoubtOutcome.ABORTED, InDoubtEvidence.XACT_STATUS),
                RerunRules.byTransactionStatus("aborted", true, NEVER_ASKED));
        assertEquals(InDoubtAnswer.NO_ANSWER, RerunRules.byTransactionStatus("in progress", true, NEVER_ASKED),
                "the old session did not end: no guess");
        assertEquals(InDoubtAnswer.NO_ANSWER, RerunRules.byTransactionStatus(null, true, NEVER_ASKED));
    }

    @Test
    void afterARestartOnlyNotCommittedCanBeProven() throws SQLException {
        InDoubtAnswer notCommitted = new InDoubtAnswer(InDoubtOutcome.ABORTED, InDoubtEvidence.NOT_COMMITTED);
        for (String status : new String[]{"aborted", "in progress", "unassigned", null}) {
            assertEquals(notCommitted, RerunRules.byTransactionStatus(status, false, NEVER_ASKED), String.valueOf(status));
        }
        assertEquals(notCommitted, RerunRules.byTransactionStatus("committed", false, () -> true),
                "an id beyond the last checkpoint's next id was never durable");
        assertEquals(new InDoubtAnswer(InDoubtOutcome.UNKNOWN, InDoubtEvidence.RESTARTED),
                RerunRules.byTransactionStatus("committed", false, () -> false),
                "committed after a restart may be another transaction given the same id: 08007");
        assertEquals(CommitVerdict.UNKNOWN, RerunRules.afterInDoubt(
                RerunRules.byTransactionStatus("committed", false, () -> false).outcome(), true));
    }
}
