package dev.resilientjdbc.retry;

import dev.resilientjdbc.classify.FailureClass;

/**
 * DESIGN.md's safety rules, as far as they can be decided without reconnecting: nothing the
 * application observes may differ from one healthy execution.
 */
public final class RetryRules {
    private RetryRules() {}

    /**
     * A statement in autocommit mode that failed with a deadlock, a serialization failure or a busy
     * database was rolled back by the server as a whole: running it again is the first execution
     * that counts. Inside an explicit transaction the transaction is gone (PostgreSQL) or retrying
     * could deadlock (SQLite): left to transaction replay.
     */
    public static boolean statementMayRetry(FailureClass c, boolean autoCommit) {
        return autoCommit && (c == FailureClass.TRANSACTION || c == FailureClass.BUSY);
    }

    /**
     * The application's own time limit ran out: the real driver's read timed out (pgjdbc's
     * {@code socketTimeout}, {@code Connection.setNetworkTimeout}) and it gave up on the connection.
     * Running the call again would stretch a limit the application chose: never.
     */
    public static boolean applicationTimeLimit(Throwable e) {
        return dev.resilientjdbc.classify.GenericClassifier.inCauseChain(e, t -> t instanceof java.net.SocketTimeoutException);
    }

    /** A connect that was refused, found the server starting or overloaded, or the file busy, can simply be tried again. */
    public static boolean connectMayRetry(FailureClass c) {
        return c == FailureClass.CONNECTION || c == FailureClass.RESOURCE || c == FailureClass.BUSY;
    }
}
