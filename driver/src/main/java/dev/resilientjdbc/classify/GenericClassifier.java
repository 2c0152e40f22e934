package dev.resilientjdbc.classify;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;

/** By SQLState class and JDBC exception type: what any standard driver reports. */
public final class GenericClassifier implements FailureClassifier {
    private static final int MAX_CAUSE_DEPTH = 16;

    @Override
    public FailureClass classify(SQLException e) {
        if (e == null) {
            return FailureClass.FATAL;
        }
        FailureClass byState = byState(e.getSQLState());
        if (byState != null) {
            return byState;
        }
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return FailureClass.CONNECTION;
        }
        if (e instanceof SQLTransactionRollbackException) {
            return FailureClass.TRANSACTION;
        }
        if (closedByThePool(e)) {
            return FailureClass.CONNECTION;
        }
        // No state (or an unhelpful one) but an I/O failure underneath: the connection broke.
        if (causedByIo(e)) {
            return FailureClass.CONNECTION;
        }
        return FailureClass.FATAL;
    }

    /** The class an SQLState stands for in every dialect, or null when the state says nothing certain. */
    static FailureClass byState(String state) {
        if (state == null || state.length() != 5) {
            return null;
        }
        switch (state) {
            case "57P01": // admin_shutdown: the backend was terminated
            case "57P02": // crash_shutdown
            case "57P03": // cannot_connect_now: the server is starting or stopping
                return FailureClass.CONNECTION;
            case "40001": // serialization_failure
            case "40P01": // deadlock_detected
                return FailureClass.TRANSACTION;
            case "40003": // statement_completion_unknown: the outcome is unknown, never retried blind
                return FailureClass.FATAL;
            case "55P03": // lock_not_available (NOWAIT, lock_timeout)
                return FailureClass.BUSY;
            case "25006": // read_only_sql_transaction
                return FailureClass.READ_ONLY;
            default:
                break;
        }
        switch (state.substring(0, 2)) {
            case "08":
                return FailureClass.CONNECTION;
            case "40":
                return FailureClass.TRANSACTION; // 40000 transaction_rollback, 40002 integrity constraint rollback
            case "53":
                return FailureClass.RESOURCE;
            default:
                return null;
        }
    }

    /**
     * The embedded pool's answer on a physical connection it closed itself: HikariCP closes its proxy as
     * soon as a call on it fails with a connection error (08, 57P01...) and from then on answers every call
     * with "Connection is closed" and no SQLState. Our pool never closes a connection the application still
     * holds for any other reason, so this is a lost connection: recovered like the failure that caused it,
     * never handed to the application as a fatal error.
     */
    public static boolean closedByThePool(SQLException e) {
        if (e.getSQLState() != null || !"Connection is closed".equals(e.getMessage())) {
            return false;
        }
        StackTraceElement[] trace = e.getStackTrace();
        // The stand-in lives in HikariCP's ProxyConnection (relocated in the self-contained jar: the name follows).
        return trace.length > 0 && trace[0].getClassName().startsWith(com.zaxxer.hikari.pool.ProxyConnection.class.getName());
    }

    /** Whether {@code e} or one of its causes matches; safe on cause cycles and bounded in depth. */
    public static boolean inCauseChain(Throwable e, java.util.function.Predicate<Throwable> matches) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH && seen.put(t, Boolean.TRUE) == null; depth++) {
            if (matches.test(t)) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    static boolean causedByIo(Throwable e) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH && seen.put(t, Boolean.TRUE) == null; depth++) {
            if (t instanceof SocketException || t instanceof EOFException || t instanceof java.net.SocketTimeoutException
                    || (t instanceof IOException && !(t instanceof java.io.FileNotFoundException))) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }
}
