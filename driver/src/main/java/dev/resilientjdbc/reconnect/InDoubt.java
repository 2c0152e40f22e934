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

    /** A new physical connection was opened. */
    void opened(Connection physical);

    /** Makes sure the server session behind {@code old} is gone, using {@code fresh}. */
    void endOldBackend(Connection old, Connection fresh);

    /** Before COMMIT: an identifier of the transaction to ask about later, or null when it wrote nothing or cannot be known. */
    String transactionId(Connection physical) throws SQLException;

    /** After the old session is gone: what became of transaction {@code id}. */
    Outcome outcome(Connection fresh, String id);

    InDoubt NONE = new InDoubt() {
        @Override
        public void opened(Connection physical) {
        }

        @Override
        public void endOldBackend(Connection old, Connection fresh) {
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
