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

    // PGConnection's getBackendPID and getParameterStatus as seen from each physical connection class's loader
    // (a pool's proxy class included), looked up once per class: opened() runs on every connect and every pool borrow.
    private static final ClassValue<Optional<PgMethods>> PG = new ClassValue<>() {
        @Override
        protected Optional<PgMethods> computeValue(Class<?> type) {
            LOOKED_UP.add(type);
            try {
                Class<?> pg = Class.forName("org.postgresql.PGConnection", false, type.getClassLoader());
                Method status;
                try {
                    status = pg.getMethod("getParameterStatus", String.class);
                } catch (NoSuchMethodException old) {
                    status = null; // pgjdbc before 42.2.x
                }
                return Optional.of(new PgMethods(pg.getMethod("getBackendPID"), status));
            } catch (ReflectiveOperationException | LinkageError e) {
                return Optional.empty();
            }
        }
    };

    private record PgMethods(Method backendPid, Method parameterStatus) {
    }

    // As ProxyShape's: the classes looked up, weakly, so that deregister() can take our entries off them.
    private static final java.util.Set<Class<?>> LOOKED_UP = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    /** Takes this driver's entries off the real driver's classes (they may outlive this class loader's use). */
    public static void forgetClasses() {
        java.util.List<Class<?>> classes;
        synchronized (LOOKED_UP) {
            classes = new java.util.ArrayList<>(LOOKED_UP);
            LOOKED_UP.clear();
        }
        classes.forEach(PG::remove);
    }

    /** The backend pid and the client's clock when the connection was opened. */
    @Override
    public Object session(Connection physical, long openedAtMillis) {
        PgMethods pg = PG.get(physical.getClass()).orElse(null);
        if (pg == null) {
            return null;
        }
        try {
            Class<?> type = pg.backendPid().getDeclaringClass();
            if (physical.isWrapperFor(type)) {
                return new long[]{(Integer) pg.backendPid().invoke(physical.unwrap(type)), openedAtMillis};
            }
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "resilient-jdbc: backend pid unknown: {0}", e.toString());
        }
        return null;
    }

    /**
     * in_hot_standby as the server last reported it (PostgreSQL 14 and later report it on every
     * connection, so this costs no round trip, and works in a transaction the server aborted).
     */
    @Override
    public Boolean standby(Connection physical) {
        PgMethods pg = physical == null ? null : PG.get(physical.getClass()).orElse(null);
        if (pg == null || pg.parameterStatus() == null) {
            return null;
        }
        try {
            Class<?> type = pg.parameterStatus().getDeclaringClass();
            if (physical.isWrapperFor(type)) {
                Object v = pg.parameterStatus().invoke(physical.unwrap(type), "in_hot_standby");
                return v == null ? null : "on".equals(v);
            }
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "resilient-jdbc: in_hot_standby unknown: {0}", e.toString());
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

    /** A writing transaction: its full 64-bit id, the server run that gave it out, and its marker when markers are on. */
    record Xact(long xid, String serverRun, CommitMarkers.Slot slot, long sequence) implements Ticket {
    }

    private final CommitMarkers markers;

    /** @param markerTable resilient.indoubt.markerTable when resilient.indoubt.marker is on, else null */
    public PostgresInDoubt(String markerTable) {
        this.markers = markerTable == null ? null : new CommitMarkers(markerTable);
    }

    @Override
    public CommitMarkers markers() {
        return markers;
    }

    /** Creates the marker table when missing and removes rows no connection has touched for a day (runs that ended). */
    @Override
    public void prepare(Connection physical) throws SQLException {
        if (markers == null) {
            return;
        }
        String t = markers.table();
        try (Statement s = physical.createStatement()) {
            boolean exists;
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + t + "') IS NOT NULL")) {
                exists = rs.next() && rs.getBoolean(1);
            }
            if (!exists) {
                s.execute("CREATE TABLE IF NOT EXISTS " + t + " (run uuid NOT NULL, slot integer NOT NULL,"
                        + " sequence bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (run, slot))");
            }
            s.execute("DELETE FROM " + t + " WHERE at < now() - interval '1 day'");
        } catch (SQLException e) {
            throw new SQLException("resilient-jdbc: resilient.indoubt.marker=true needs the table " + t
                    + " (columns run uuid, slot integer, sequence bigint, at timestamptz, primary key (run, slot)),"
                    + " readable and writable by this user; it could not be used or created: " + e.getMessage(),
                    e.getSQLState(), e);
        }
    }

    /**
     * The transaction id with the server's start time in one round trip: after a restart (above all a
     * crash) PostgreSQL can give an id that never became durable to a new transaction, so an id alone
     * is trusted only on the server run that gave it out. With markers on, a second round trip writes
     * the marker row inside the transaction, which settles the outcome across restarts.
     */
    @Override
    public Ticket transactionId(Connection physical, CommitMarkers.Holder marker) throws SQLException {
        long xid;
        String run;
        try (Statement s = physical.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_xact_id_if_assigned()::text, pg_postmaster_start_time()::text,"
                     + " current_setting('transaction_read_only')")) {
            if (!rs.next() || rs.getString(1) == null) {
                return null;
            }
            xid = Long.parseLong(rs.getString(1));
            run = rs.getString(2);
            if (markers == null || "on".equals(rs.getString(3))) {
                return new Xact(xid, run, null, 0); // a read-only transaction cannot write a marker: the id must do
            }
        }
        CommitMarkers.Slot slot = marker.slot(markers);
        long sequence = slot.sequence + 1;
        try (PreparedStatement ps = physical.prepareStatement("INSERT INTO " + markers.table()
                + " (run, slot, sequence, at) VALUES (?::uuid, ?, ?, now()) ON CONFLICT (run, slot)"
                + " DO UPDATE SET sequence = EXCLUDED.sequence, at = EXCLUDED.at")) {
            ps.setString(1, markers.run().toString());
            ps.setInt(2, slot.number);
            ps.setLong(3, sequence);
            ps.executeUpdate();
        }
        slot.sequence = sequence;
        return new Xact(xid, run, slot, sequence);
    }

    /**
     * On the same server run, {@code pg_xact_status} answers for this transaction. After a restart:
     * the marker answers when there is one; otherwise only "did not commit" can be proven — the id is
     * one the server has not handed out yet, or beyond the last checkpoint's next id (never durable),
     * or its status is anything but committed (a durable id is never handed out again, so a status
     * other than committed is this transaction's or proves it never became durable). "Committed"
     * after a restart may be another transaction that was given the same id: UNKNOWN.
     */
    @Override
    public Resolution outcome(Connection fresh, Ticket ticket) {
        Xact t = (Xact) ticket;
        try {
            return resolve(fresh, t);
        } catch (SQLException e) {
            LOG.log(Level.FINE, "resilient-jdbc: in-doubt lookup failed: {0}", e.getMessage());
            try {
                if (!fresh.getAutoCommit()) {
                    fresh.rollback(); // our failed query must not leave the new connection's transaction aborted
                }
            } catch (SQLException ignored) {
                // the connection is broken too: the caller gets UNKNOWN either way
            }
            return Resolution.NO_ANSWER;
        }
    }

    private Resolution resolve(Connection fresh, Xact t) throws SQLException {
        String status;
        boolean sameRun;
        boolean mayReadCheckpoint;
        try (PreparedStatement ps = fresh.prepareStatement("SELECT CASE WHEN ?::xid8 >= pg_snapshot_xmax(pg_current_snapshot())"
                + " THEN 'unassigned' ELSE pg_xact_status(?::xid8) END, pg_postmaster_start_time()::text,"
                + " has_function_privilege('pg_control_checkpoint()', 'EXECUTE')")) {
            ps.setString(1, Long.toString(t.xid()));
            ps.setString(2, Long.toString(t.xid()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Resolution.NO_ANSWER;
                }
                status = rs.getString(1);
                sameRun = t.serverRun().equals(rs.getString(2));
                mayReadCheckpoint = rs.getBoolean(3);
            }
        }
        if (sameRun) {
            if ("committed".equals(status)) {
                return new Resolution(Outcome.COMMITTED, Evidence.XACT_STATUS);
            }
            if ("aborted".equals(status)) {
                return new Resolution(Outcome.ABORTED, Evidence.XACT_STATUS);
            }
            return Resolution.NO_ANSWER; // still in progress: the old session did not end
        }
        if (t.slot() != null) {
            return byMarker(fresh, t);
        }
        if (!"committed".equals(status)) {
            return new Resolution(Outcome.ABORTED, Evidence.NOT_COMMITTED);
        }
        if (mayReadCheckpoint && t.xid() >= checkpointNextXid(fresh)) {
            return new Resolution(Outcome.ABORTED, Evidence.NOT_COMMITTED);
        }
        return new Resolution(Outcome.UNKNOWN, Evidence.RESTARTED);
    }

    private Resolution byMarker(Connection fresh, Xact t) throws SQLException {
        try (PreparedStatement ps = fresh.prepareStatement("SELECT sequence FROM " + markers.table() + " WHERE run = ?::uuid AND slot = ?")) {
            ps.setString(1, markers.run().toString());
            ps.setInt(2, t.slot().number);
            try (ResultSet rs = ps.executeQuery()) {
                boolean ours = rs.next() && rs.getLong(1) == t.sequence();
                return new Resolution(ours ? Outcome.COMMITTED : Outcome.ABORTED, Evidence.MARKER);
            }
        }
    }

    /**
     * The next transaction id of the latest checkpoint, as a full 64-bit id. After a crash the first
     * checkpoint is the end-of-recovery one, taken before any new transaction: an id at or above it was
     * in no WAL that survived, and every later checkpoint's is higher still. A promoted standby's latest
     * checkpoint may be a restartpoint older than WAL it replayed: only a checkpoint of the timeline the
     * server writes now counts (otherwise Long.MAX_VALUE: proves nothing).
     */
    private static long checkpointNextXid(Connection fresh) throws SQLException {
        try (Statement s = fresh.createStatement(); ResultSet rs = s.executeQuery("SELECT next_xid, timeline_id,"
                + " ('x' || substr(pg_walfile_name(pg_current_wal_insert_lsn()), 1, 8))::bit(32)::int FROM pg_control_checkpoint()")) {
            if (!rs.next() || rs.getInt(2) != rs.getInt(3)) {
                return Long.MAX_VALUE;
            }
            String v = rs.getString(1); // "epoch:xid"
            int colon = v.indexOf(':');
            return (Long.parseLong(v.substring(0, colon)) << 32) | Long.parseLong(v.substring(colon + 1));
        }
    }
}
