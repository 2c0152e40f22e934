package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.Retrier;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

/** Connection-level calls under the safety rules: which may be made again on a new physical connection. */
public final class Calls {
    private Calls() {}

    /**
     * A call with no effect on data (session getters, statement creation, metadata): on a lost
     * connection it is made again on a new one.
     */
    public static Object withReconnect(LogicalConnection logical, Method method, Object[] args) throws Throwable {
        Connection[] on = {null};
        Retrier.RetryGate gate = (e, c) -> {
            if (c != FailureClass.CONNECTION || logical.isClosed() || logical.isReconnectFailure(e)) {
                return false;
            }
            logical.lost(on[0]);
            return true;
        };
        return logical.retrier().statement(() -> {
            Connection p = logical.physical();
            on[0] = p;
            return LogicalStatement.invoke(p, method, args);
        }, gate);
    }

    /**
     * commit: a transaction lost with its connection fails here; a commit whose reply was lost is
     * in doubt (SQLState 08007) — resolving it is transaction replay's job.
     */
    public static Object commit(LogicalConnection logical, Method method) throws Throwable {
        logical.checkCommittable();
        boolean hadWork = logical.transactionHasWork();
        Connection p = logical.physical();
        try {
            return LogicalStatement.invoke(p, method, null);
        } catch (SQLException e) {
            if (logical.classify(e) != FailureClass.CONNECTION || logical.isClosed()) {
                throw e;
            }
            logical.lost(p);
            if (!hadWork) {
                return null; // nothing ran in this transaction: there was nothing to commit
            }
            if ("08003".equals(e.getSQLState())) {
                // COMMIT never left: the database rolled the transaction back with its connection.
                throw new SQLTransactionRollbackException("resilient-jdbc: the connection was lost before COMMIT was sent;"
                        + " the database rolled the transaction back", "40000", e);
            }
            logical.retrier().guard().stats().onInDoubt();
            throw new SQLException("resilient-jdbc: the connection to " + logical.retrier().guard().name()
                    + " was lost during COMMIT; whether the transaction committed is unknown (transaction resolution unknown)",
                    "08007", e);
        } finally {
            logical.transactionEnded();
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
            return LogicalStatement.invoke(p, method, null);
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
