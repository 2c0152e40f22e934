package dev.resilientjdbc.reconnect;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * PostgreSQL's answers about lost work: the backend pid of each physical connection (from pgjdbc,
 * no round trip), {@code pg_terminate_backend} to end an old session, {@code
 * pg_current_xact_id_if_assigned()} before COMMIT and {@code pg_xact_status} after.
 */
public final class PostgresInDoubt implements InDoubt {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.replay");

    // PGConnection.getBackendPID as seen from each physical connection class's loader (a pool's proxy
    // class included), looked up once per class: opened() runs on every connect and every pool borrow.
    private static final ClassValue<Optional<Method>> BACKEND_PID = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            try {
                Class<?> pg = Class.forName("org.postgresql.PGConnection", false, type.getClassLoader());
                return Optional.of(pg.getMethod("getBackendPID"));
            } catch (ReflectiveOperationException | LinkageError e) {
                return Optional.empty();
            }
        }
    };

    /** The backend pid and the client's clock when the connection was opened. */
    @Override
    public Object session(Connection physical, long openedAtMillis) {
        Method pid = BACKEND_PID.get(physical.getClass()).orElse(null);
        if (pid == null) {
            return null;
        }
        try {
            Class<?> pg = pid.getDeclaringClass();
            if (physical.isWrapperFor(pg)) {
                return new long[]{(Integer) pid.invoke(physical.unwrap(pg)), openedAtMillis};
            }
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "resilient-jdbc: backend pid unknown: {0}", e.toString());
        }
        return null;
    }

    @Override
    public void endOldBackend(Object oldBackend, Connection fresh) {
        if (!(oldBackend instanceof long[])) {
            return;
        }
        long[] b = (long[]) oldBackend;
        // Only that pid if the backend started before our connection did: never another client's session.
        try (PreparedStatement ps = fresh.prepareStatement("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                + " WHERE pid = ? AND backend_start <= to_timestamp(?) AND usename = current_user")) {
            ps.setInt(1, (int) b[0]);
            ps.setDouble(2, (b[1] + 5_000) / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LOG.log(Level.FINE, "resilient-jdbc: ended old backend {0}: {1}", new Object[]{b[0], rs.getBoolean(1)});
                }
            }
        } catch (SQLException e) {
            // Not allowed or already gone: pg_xact_status still answers once the session ends by itself.
            LOG.log(Level.FINE, "resilient-jdbc: could not end old backend {0}: {1}", new Object[]{b[0], e.getMessage()});
        }
    }

    /**
     * The transaction id with the server's start time, in the same round trip: after a restart (above all
     * a crash) PostgreSQL can hand an id that never became durable to a new transaction, so an id is only
     * looked up on the server run that gave it out.
     */
    @Override
    public String transactionId(Connection physical) throws SQLException {
        try (Statement s = physical.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_xact_id_if_assigned()::text, pg_postmaster_start_time()::text")) {
            if (!rs.next() || rs.getString(1) == null) {
                return null;
            }
            return rs.getString(1) + "@" + rs.getString(2);
        }
    }

    @Override
    public Outcome outcome(Connection fresh, String id) {
        int at = id.indexOf('@');
        try (PreparedStatement ps = fresh.prepareStatement("SELECT pg_xact_status(?::xid8), pg_postmaster_start_time()::text")) {
            ps.setString(1, id.substring(0, at));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !id.substring(at + 1).equals(rs.getString(2))) {
                    return Outcome.UNKNOWN; // the server restarted since: its answer may be about another transaction
                }
                String status = rs.getString(1);
                if ("committed".equals(status)) {
                    return Outcome.COMMITTED;
                }
                if ("aborted".equals(status)) {
                    return Outcome.ABORTED;
                }
                return Outcome.UNKNOWN;
            }
        } catch (SQLException e) {
            return Outcome.UNKNOWN;
        }
    }
}
