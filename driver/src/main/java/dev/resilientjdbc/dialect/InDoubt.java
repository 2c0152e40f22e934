package dev.resilientjdbc.dialect;

import dev.resilientjdbc.retry.RerunRules;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a dialect can do about work whose connection was lost: end the old server session for good
 * (so it holds no locks and cannot commit later) and tell whether a transaction committed.
 * PostgreSQL can ({@link PostgresInDoubt}); for others nothing is known and nothing is done.
 */
public interface InDoubt {
    /** What identifies a transaction to ask about after its COMMIT reply was lost; dialect-specific. */
    interface Ticket {
    }

    /**
     * The ticket of a transaction the server says wrote nothing (no transaction id was assigned to it): its COMMIT
     * changes nothing, so a lost reply to it leaves nothing in doubt. A class of its own, loaded at the first such
     * COMMIT: a constant of this interface would be loaded by every first connection.
     */
    final class NothingWritten implements Ticket {
        public static final Ticket TICKET = new NothingWritten();

        private NothingWritten() {
        }

        @Override
        public String toString() {
            return "nothing written";
        }
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

    /** A physical connection of the target was just opened: what it says of its server is noted (see openedOnStandby). */
    default void opened(Connection physical) {
    }

    /**
     * Whether {@code physical}, just handed to a logical connection, is a standby's: a session opened on a
     * standby keeps read-only transactions past a promotion. By default asked of {@link #standby}.
     */
    default boolean openedOnStandby(Connection physical) {
        return Boolean.TRUE.equals(standby(physical));
    }

    /** The host and port {@code physical} is connected to, as the URL names it (host:port); null when unknown. */
    default String serverAddress(Connection physical) {
        return null;
    }

    /** Makes sure the server session {@code oldBackend} (from {@link #session}) is gone, using {@code fresh}. */
    void endOldBackend(Object oldBackend, Connection fresh);

    /**
     * At each connect of the target until it has settled (then at once): whatever later tickets rely on
     * (the marker table). Never fails the connect: what cannot be had is warned about and done without.
     * Returns false when it could not find out yet (a lost connection, a standby): the next connect asks again.
     */
    default boolean prepare(Connection physical) {
        return true;
    }

    /**
     * Before COMMIT of a writing transaction: its marker ticket when the evidence can travel with the
     * COMMIT (see {@link #commitWithMarker}), else null and the caller takes {@link #transactionId}.
     */
    default Ticket marker(Connection physical, CommitMarkers.Holder holder) {
        return null;
    }

    /** The marker write of {@code marker} and COMMIT, sent in one round trip. */
    default void commitWithMarker(Connection physical, Ticket marker) throws SQLException {
        throw new SQLException("resilient-jdbc: no commit marker on this database", "0A000");
    }

    /**
     * An autocommit write made exactly-once in one exchange with its evidence: {@code sql} (the application's
     * statement, parameters marked ?) wrapped with the marker write so that both run in the implicit transaction of
     * one round trip; the application's parameters come after {@link #INLINE_PARAMETERS} of ours. Null when the
     * statement cannot be so wrapped (the caller runs it in a transaction of its own, a round trip more).
     */
    default String inlineText(String sql) {
        return null;
    }

    /** The parameters of ours that come first in an {@link #inlineText}. */
    int INLINE_PARAMETERS = 2;

    /**
     * The ticket for one run of an {@link #inlineText} on {@code physical} (in autocommit, no transaction open, a
     * marker row known to be there), else null: the caller runs the write in a transaction of its own.
     */
    default Ticket inlineMarker(Connection physical, CommitMarkers.Holder holder) {
        return null;
    }

    /** Binds the marker's parameters of {@code ticket} on a statement made from an {@link #inlineText}. */
    default void bindInline(java.sql.PreparedStatement s, Ticket ticket) throws SQLException {
        throw new SQLException("resilient-jdbc: no commit marker on this database", "0A000");
    }

    /**
     * Reads what an {@link #inlineText} answered after {@code s.execute()} returned: the application's update
     * count. The marker row's fate is noted.
     */
    default long inlineRan(java.sql.PreparedStatement s, Ticket ticket) throws SQLException {
        throw new SQLException("resilient-jdbc: no commit marker on this database", "0A000");
    }

    /**
     * The update count of an inline write that {@link #outcome} found committed (the marker row keeps it); -1
     * when unknown.
     */
    default long appliedBy(Ticket ticket) {
        return -1;
    }

    /**
     * After {@link #commitWithMarker} failed with the connection still there: true when the marker
     * write itself failed, so the COMMIT never ran and the transaction is left aborted on the server;
     * markers are then off for this target (one WARNING). False: the COMMIT failed on its own, as on the raw driver.
     */
    default boolean markerFailed(Connection physical, SQLException e) {
        return false;
    }

    /**
     * Before COMMIT: a ticket for the transaction to ask about later, {@link NothingWritten#TICKET} when the server says it
     * wrote nothing, or null when that cannot be known. {@code marker} is the logical connection's hold on a commit
     * marker row.
     */
    Ticket transactionId(Connection physical, CommitMarkers.Holder marker) throws SQLException;

    /**
     * What became of the transaction of {@code ticket}; {@code oldSession} (from {@link #session}) is
     * the session it ran in, which {@link #endOldBackend} was asked to end. Throws only when
     * {@code fresh} itself was lost meanwhile (the caller may ask again on another).
     */
    RerunRules.InDoubtAnswer outcome(Connection fresh, Ticket ticket, Object oldSession) throws SQLException;

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
        public RerunRules.InDoubtAnswer outcome(Connection fresh, Ticket ticket, Object oldSession) {
            return RerunRules.InDoubtAnswer.NO_ANSWER;
        }
    };
}
