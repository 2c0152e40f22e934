package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.Retrier;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * DESIGN.md's safety rules for one statement execution. Told of each failure, it says whether the
 * statement may run again, and remembers when a write's outcome became unknown so the caller can
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

    CallGate(LogicalConnection connection, LogicalStatement statement, String sql, Connection physical,
             boolean firstInTransaction) {
        this.connection = connection;
        this.statement = statement;
        this.sql = sql;
        this.physical = physical;
        this.autoCommit = connection.session().autoCommit();
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
        switch (c) {
            case TRANSACTION:
            case BUSY:
                // The server rolled the statement back whole; inside an explicit transaction that is replay's job.
                // The connection may know better (a file busy with its own thread's other transaction: never).
                return autoCommit && connection.classify(failure) == c;
            case CONNECTION:
                if (connection.isReconnectFailure(failure) || connection.isClosed()) {
                    return false; // the reconnect already spent its own budget, or the application closed us
                }
                connection.lost(physical);
                if (!statement.recipe().repeatable()) {
                    return false; // a stream parameter cannot be sent twice
                }
                if (!autoCommit && firstInTransaction) {
                    // The transaction had done nothing before this statement and can never commit without us:
                    // running the statement again on the new connection starts it afresh.
                    connection.restartTransaction();
                    return true;
                }
                if (autoCommit && (notSent(failure) || readOnly() || uncommitted)) {
                    // Nothing reached the server, or what it did is invisible: a read.
                    return true;
                }
                if (autoCommit) {
                    unknownOutcome = failure;
                }
                return false;
            default:
                return false;
        }
    }

    private boolean readOnly() {
        if (readOnly == null) {
            // A SET changes only the session the connection had, and the new session is given it anyway.
            readOnly = connection.session().readOnly() || SqlText.isReadOnly(sql)
                    || SqlText.sessionChange(sql).kind != SqlText.SessionChange.Kind.NONE;
        }
        return readOnly;
    }

    /** The driver refused before sending: its connection was already known closed. */
    private static boolean notSent(SQLException e) {
        return "08003".equals(e.getSQLState());
    }
}
