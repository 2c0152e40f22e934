package dev.resilientjdbc.connection;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.Reflective;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.Retrier;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;

/** Connection-level calls under the safety rules: which may be made again on a new physical connection. */
public final class Calls {
    private Calls() {}

    /**
     * A call with no effect on data (session getters, statement creation, metadata): on a lost
     * connection it is made again on a new one, on a busy database after a backoff.
     */
    public static Object withReconnect(LogicalConnection logical, Method method, Object[] args) throws Throwable {
        // The first attempt as the retrier's first would make it, without the gate and call objects only a failure needs.
        Connection p = null;
        try {
            p = logical.physical();
            return Reflective.invoke(p, method, args);
        } catch (SQLException first) {
            return retried(logical, method, args, first, p);
        }
    }

    private static Object retried(LogicalConnection logical, Method method, Object[] args, SQLException first, Connection firstOn)
            throws Throwable {
        Connection[] on = {firstOn};
        Retrier.RetryGate gate = withoutEffectGate(logical, on);
        return logical.retrier().afterFailure(first, () -> {
            Connection p = logical.physical();
            on[0] = p;
            return Reflective.invoke(p, method, args);
        }, gate);
    }

    /**
     * Whether a call without effect that failed on {@code on[0]} is made again: {@link RerunRules#callWithoutEffect}
     * decides for connection calls and metadata alike; a lost connection is dropped first.
     */
    public static Retrier.RetryGate withoutEffectGate(LogicalConnection logical, Connection[] on) {
        return (e, c) -> {
            if (logical.isClosed() || logical.isReconnectFailure(e)) {
                return false;
            }
            // SQLite reading its schema while another connection commits: wait and ask again (unless that
            // connection is this thread's own: then waiting cannot help).
            boolean again = RerunRules.callWithoutEffect(c, c == FailureClass.BUSY && logical.failed(e) == FailureClass.BUSY);
            if (again && c == FailureClass.CONNECTION) {
                logical.lost(on[0]);
            }
            return again;
        };
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
            if (logical.failed(e) == FailureClass.CONNECTION && !logical.isClosed()) {
                boolean unseen = logical.lostWorkOutOfSight(p);
                logical.lost(p);
                if (unseen) {
                    throw e; // a COPY died with the connection: as on the raw driver, the application hears of it
                }
                return null;
            }
            throw e;
        } finally {
            logical.transactionEnded();
        }
    }
}
