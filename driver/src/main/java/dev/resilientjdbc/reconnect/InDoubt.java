package dev.resilientjdbc.reconnect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a dialect can do about work whose connection was lost: end the old server session for good
 * (so it holds no locks and cannot commit later) and tell whether a transaction committed.
 * PostgreSQL can ({@link PostgresInDoubt}); for others nothing is known and nothing is done.
 */
public interface InDoubt {
    /** The outcome of a transaction whose COMMIT reply was lost. */
    enum Outcome { COMMITTED, ABORTED, UNKNOWN }

    /**
     * What will identify the server session of {@code physical}, opened (or borrowed) at
     * {@code openedAtMillis}, once the connection is lost; null when nothing can be known. Asked while
     * the connection is alive, when a transaction starts and before its COMMIT, not on every connect.
     */
    Object session(Connection physical, long openedAtMillis);

    /** Makes sure the server session {@code oldBackend} (from {@link #session}) is gone, using {@code fresh}. */
    void endOldBackend(Object oldBackend, Connection fresh);

    /** Before COMMIT: an identifier of the transaction to ask about later, or null when it wrote nothing or cannot be known. */
    String transactionId(Connection physical) throws SQLException;

    /** After the old session is gone: what became of transaction {@code id}. */
    Outcome outcome(Connection fresh, String id);

    InDoubt NONE = new InDoubt() {
        @Override
        public Object session(Connection physical, long openedAtMillis) {
            return null;
        }

        @Override
        public void endOldBackend(Object oldBackend, Connection fresh) {
        }

        @Override
        public String transactionId(Connection physical) {
            return null;
        }

        @Override
        public Outcome outcome(Connection fresh, String id) {
            return Outcome.UNKNOWN;
        }
    };
}
