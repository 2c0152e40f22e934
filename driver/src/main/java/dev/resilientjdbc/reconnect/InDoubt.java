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

    /** What settled an outcome; each is counted as {@code indoubt.by.<metricName>}. */
    enum Evidence {
        /** Same server run as the transaction id came from: the database's transaction status is about this transaction. */
        XACT_STATUS("xactStatus"),
        /** The commit marker row (resilient.indoubt.marker): present with this transaction's number or not. */
        MARKER("marker"),
        /** After a restart: the database proves the id was never made durable, or that it did not commit. */
        NOT_COMMITTED("notCommitted"),
        /** After a restart the id reads "committed", which may be another transaction that was given the same id: 08007. */
        RESTARTED("restarted"),
        /** No answer could be had (no new connection, the old session still running, a failed query): 08007. */
        NO_ANSWER("noAnswer");

        private final String metricName;

        Evidence(String metricName) {
            this.metricName = metricName;
        }

        public String metricName() {
            return metricName;
        }
    }

    /** An outcome and what established it. */
    record Resolution(Outcome outcome, Evidence evidence) {
        static final Resolution NO_ANSWER = new Resolution(Outcome.UNKNOWN, Evidence.NO_ANSWER);
    }

    /** What identifies a transaction to ask about after its COMMIT reply was lost; dialect-specific. */
    interface Ticket {
    }

    /**
     * What will identify the server session of {@code physical}, opened (or borrowed) at
     * {@code openedAtMillis}, once the connection is lost; null when nothing can be known. Asked while
     * the connection is alive, when a transaction starts and before its COMMIT, not on every connect.
     */
    Object session(Connection physical, long openedAtMillis);

    /**
     * Whether the server of {@code physical} is a standby (read-only as a whole), as far as it is known
     * without a round trip; null when unknown.
     */
    default Boolean standby(Connection physical) {
        return null;
    }

    /** Makes sure the server session {@code oldBackend} (from {@link #session}) is gone, using {@code fresh}. */
    void endOldBackend(Object oldBackend, Connection fresh);

    /** Once per target, on its first physical connection (in autocommit): whatever later tickets rely on. */
    default void prepare(Connection physical) throws SQLException {
    }

    /**
     * Before COMMIT: a ticket for the transaction to ask about later, or null when it wrote nothing or
     * cannot be known. {@code marker} is the logical connection's hold on a commit marker row.
     */
    Ticket transactionId(Connection physical, CommitMarkers.Holder marker) throws SQLException;

    /** After the old session is gone: what became of the transaction of {@code ticket}. */
    Resolution outcome(Connection fresh, Ticket ticket);

    /** The commit markers of this target, or null when markers are off. */
    default CommitMarkers markers() {
        return null;
    }

    InDoubt NONE = new InDoubt() {
        @Override
        public Object session(Connection physical, long openedAtMillis) {
            return null;
        }

        @Override
        public void endOldBackend(Object oldBackend, Connection fresh) {
        }

        @Override
        public Ticket transactionId(Connection physical, CommitMarkers.Holder marker) {
            return null;
        }

        @Override
        public Resolution outcome(Connection fresh, Ticket ticket) {
            return Resolution.NO_ANSWER;
        }
    };
}
