package dev.resilientjdbc.connection;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.util.SqlText;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One statement execution's gate: told of each failure, it gathers what is known, asks {@link RerunRules}
 * whether the statement may run again, carries out the verdict (drops a lost connection, restarts the
 * transaction), and remembers when a write's outcome became unknown so the caller can
 * answer SQLState 08007 instead of the raw I/O error.
 */
final class CallGate implements Retrier.RetryGate {
    private final LogicalConnection connection;
    private final LogicalStatement statement;
    private final String sql;
    private final boolean autoCommit;
    private final boolean firstInTransaction;
    private Connection physical;
    private Boolean readOnly;
    SQLException unknownOutcome;
    // The attempt ran in a transaction of its own that certainly did not commit (resilient.autocommit.exactlyOnce).
    boolean uncommitted;

    /** {@code autoCommit}: the session's autocommit when the statement was about to run. */
    CallGate(LogicalConnection connection, LogicalStatement statement, String sql, Connection physical,
             boolean firstInTransaction, boolean autoCommit) {
        this.connection = connection;
        this.statement = statement;
        this.sql = sql;
        this.physical = physical;
        this.autoCommit = autoCommit;
        this.firstInTransaction = firstInTransaction;
    }

    /** The physical connection the next attempt runs on. */
    void attemptOn(Connection p) {
        physical = p;
        uncommitted = false;
    }

    /** Whether the statement only reads or changes session settings: nothing to make exactly-once. */
    boolean harmlessToRepeat() {
        return readOnly();
    }

    @Override
    public boolean allows(SQLException failure, FailureClass c) {
        if (c == FailureClass.CONNECTION) {
            if (connection.isReconnectFailure(failure) || connection.isClosed()) {
                return false; // the reconnect already spent its own budget, or the application closed us
            }
            connection.lost(physical);
        }
        // The connection may know better than the classifier (a file busy with its own thread's other transaction).
        boolean stillThatClass = (c == FailureClass.TRANSACTION || c == FailureClass.BUSY) && connection.failed(failure) == c;
        boolean connectionAutoCommitWrite = c == FailureClass.CONNECTION && autoCommit;
        RerunRules.StatementVerdict v = RerunRules.statement(new RerunRules.StatementFacts(c, stillThatClass, autoCommit,
                firstInTransaction, statement.recipe().repeatable(), notSent(failure),
                connectionAutoCommitWrite && readOnly(), uncommitted));
        switch (v) {
            case RUN_AGAIN:
                return true;
            case RESTART_TRANSACTION:
                connection.restartTransaction();
                return true;
            case OUTCOME_UNKNOWN:
                unknownOutcome = failure;
                return false;
            default:
                return false;
        }
    }

    private boolean readOnly() {
        if (readOnly == null) {
            // A SET changes only the session the connection had, and the new session is given it anyway; a locking
            // read in autocommit holds its locks only while it runs.
            readOnly = connection.session().readOnly() || SqlText.isReadOnly(sql)
                    || SqlText.sessionChange(sql).kind != SqlText.SessionChange.Kind.NONE
                    || autoCommit && SqlText.isLockingRead(sql);
        }
        return readOnly;
    }

    /** The driver refused before sending: its connection was already known closed. */
    private static boolean notSent(SQLException e) {
        return RerunRules.refusedBeforeSending(e);
    }
}
