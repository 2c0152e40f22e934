package dev.resilientjdbc.dialect;

import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.RerunRules.InDoubtAnswer;
import dev.resilientjdbc.retry.RerunRules.InDoubtEvidence;
import dev.resilientjdbc.retry.RerunRules.InDoubtOutcome;
import dev.resilientjdbc.replay.Reflective;

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
 * no round trip), {@code pg_terminate_backend} to end an old session, and the evidence of a COMMIT:
 * a marker row written in the same round trip as the COMMIT (settles it across restarts, crashes and
 * promotions), or where the marker cannot be used, {@code pg_current_xact_id_if_assigned()} before
 * COMMIT and {@code pg_xact_status} after (same server run only).
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
                Method state;
                try {
                    state = Class.forName("org.postgresql.core.BaseConnection", false, type.getClassLoader())
                            .getMethod("getTransactionState");
                } catch (ReflectiveOperationException old) {
                    state = null;
                }
                // Asked on every writing COMMIT: accessible, so each call skips Method.invoke's stack walk.
                return Optional.of(new PgMethods(Reflective.accessible(pg.getMethod("getBackendPID")),
                        Reflective.accessible(status), Reflective.accessible(state)));
            } catch (ReflectiveOperationException | LinkageError e) {
                return Optional.empty();
            }
        }
    };

    private record PgMethods(Method backendPid, Method parameterStatus, Method transactionState) {
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
        String v = parameter(physical, "in_hot_standby");
        return v == null ? null : "on".equals(v);
    }

    /**
     * Every physical connection of the target is opened through here: once one reports in_hot_standby on, the
     * target may hand out standby sessions, and only then is each borrow asked (a reflective read through the
     * pool's proxy, 14 % of a pool borrow in JFR). A session never turns into a standby's while it lives (a demoted
     * primary restarts first), so one that did not report it at open never will.
     */
    @Override
    public void opened(Connection physical) {
        if (!standbySeen && Boolean.TRUE.equals(standby(physical))) {
            standbySeen = true;
        }
    }

    @Override
    public boolean openedOnStandby(Connection physical) {
        return standbySeen && Boolean.TRUE.equals(standby(physical));
    }

    /**
     * pgjdbc's own record of the host it connected to ({@code BaseConnection.getQueryExecutor().getHostSpec()}:
     * host:port as the URL names it), read without a round trip; else the server's address as it reports it.
     */
    @Override
    public String serverAddress(Connection physical) {
        try {
            Class<?> base = Class.forName("org.postgresql.core.BaseConnection", false, physical.getClass().getClassLoader());
            if (physical.isWrapperFor(base)) {
                Object executor = base.getMethod("getQueryExecutor").invoke(physical.unwrap(base));
                Object spec = Class.forName("org.postgresql.core.QueryExecutor", false, base.getClassLoader())
                        .getMethod("getHostSpec").invoke(executor);
                java.lang.reflect.Method host = spec.getClass().getMethod("getHost");
                java.lang.reflect.Method port = spec.getClass().getMethod("getPort");
                return host.invoke(spec) + ":" + port.invoke(spec);
            }
        } catch (ReflectiveOperationException | SQLException | LinkageError | RuntimeException e) {
            LOG.log(Level.FINE, "resilient-jdbc: pgjdbc host unknown: {0}", e.toString());
        }
        try (Statement s = physical.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(host(inet_server_addr()), 'local') || ':' || current_setting('port')")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /** A parameter the server reports on every change (pgjdbc keeps it: no round trip); null when unknown. */
    private static String parameter(Connection physical, String name) {
        PgMethods pg = physical == null ? null : PG.get(physical.getClass()).orElse(null);
        if (pg == null || pg.parameterStatus() == null) {
            return null;
        }
        try {
            Class<?> type = pg.parameterStatus().getDeclaringClass();
            if (physical.isWrapperFor(type)) {
                Object v = pg.parameterStatus().invoke(physical.unwrap(type), name);
                return v == null ? null : v.toString();
            }
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "resilient-jdbc: {0} unknown: {1}", new Object[]{name, e.toString()});
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

    /** A writing transaction's full 64-bit id and the server run that gave it out (the fallback evidence). */
    record Xact(long xid, String serverRun) implements Ticket {
    }

    /** A writing transaction's marker: its row (this JVM's run, a slot) and the sequence number its COMMIT writes. */
    /** Whether {@code ticket} is a commit marker row's (resilient.indoubt.marker), not a transaction id. */
    public static boolean isMarker(Ticket ticket) {
        return ticket instanceof Marked;
    }

    /**
     * {@code update}: the slot's row is known to be there, so the COMMIT updates it in place instead of upserting it.
     * {@code applied}: for an inline write (see inlineText), where its update count read back from the row goes; else null.
     */
    record Marked(CommitMarkers.Slot slot, long sequence, boolean update, long[] applied, CommitMarkers.Holder holder)
            implements Ticket {
    }

    private final CommitMarkers markers;
    private final String target;
    private final boolean evidence;
    // How long the fence waits for the row's lock (resilient.indoubt.fenceWait): an old transaction still committing (a
    // slow fsync, a synchronous standby) holds it until it ends; past this, the outcome stays unknown (08007).
    private final long fenceWaitMillis;
    // The marker write and ";COMMIT" as one text, the same for every commit (slot and sequence are parameters):
    // pgjdbc parses it once per connection instead of once per commit, and keeps the application's texts in its cache.
    private final String markerCommit;
    // The same with a plain UPDATE of a row known to be there: no speculative insertion and no tuple lock (the upsert's
    // ON CONFLICT locks the row first, one more WAL record per commit) — bench/RESULTS.md measured 10 % more throughput.
    private final String markerUpdateCommit;
    // What settles a lost COMMIT as not committed: the row takes the next sequence unless the COMMIT's own is there.
    private final String markerFence;
    // Ends the session whose transaction holds the slot's row while it runs (a COMMIT stalled after its marker write):
    // the row's xmax is that transaction, found without its pid, which behind a pooler is not the server's.
    private final String markerHolderEnd;
    // An autocommit write wrapped with the marker write (inlineText): ours first, set as transaction-local settings
    // so that the application's parameters keep their order; its count goes into the row with our sequence.
    private final String inlinePrefix;
    private final String inlineSuffix;
    // The marker table has the applied column an inline write needs (prepare()); else such writes take a round trip more.
    private volatile boolean inlineUsable;
    // Set by prepare(): the marker table is there and ours to write; the fallback's functions may be called.
    private volatile boolean markersUsable;
    private volatile boolean xidEvidence;
    private volatile boolean warned;
    // A physical connection of the target was opened on a standby (see opened()).
    private volatile boolean standbySeen;
    // prepare() found out what it had to: the target's later connects (any of its recipes) do not ask again.
    private volatile boolean settled;

    /**
     * @param markerTable resilient.indoubt.markerTable when resilient.indoubt.marker is on, else null
     * @param fenceWaitMillis resilient.indoubt.fenceWait: how long the fence waits for the marker row's lock
     * @param target      the target's name, for the warning when the marker cannot be used
     * @param evidence    resilient.indoubt.evidence: false gathers none (no marker, no transaction id), so a lost COMMIT
     *                    reply is 08007; the old backend is still ended before a replay
     */
    public PostgresInDoubt(String markerTable, long fenceWaitMillis, String target, boolean evidence) {
        this.evidence = evidence;
        this.fenceWaitMillis = fenceWaitMillis;
        this.markers = markerTable == null ? null : new CommitMarkers(markerTable);
        this.target = target;
        this.markerCommit = markerTable == null ? null : "INSERT INTO " + markerTable + " AS m (run, slot, sequence, at) VALUES ('"
                + CommitMarkers.run() + "', ?, ?, clock_timestamp()) ON CONFLICT (run, slot)"
                + " DO UPDATE SET sequence = " + guarded("m.sequence", "EXCLUDED.sequence") + ", at = EXCLUDED.at;COMMIT";
        this.markerUpdateCommit = markerTable == null ? null : "UPDATE " + markerTable + " SET sequence = "
                + guarded("sequence", "?") + ", at = clock_timestamp() WHERE run = '" + CommitMarkers.run() + "' AND slot = ?;COMMIT";
        this.markerFence = markerTable == null ? null : "INSERT INTO " + markerTable + " AS m (run, slot, sequence, at) VALUES ('"
                + CommitMarkers.run() + "', ?, ?, clock_timestamp()) ON CONFLICT (run, slot)"
                + " DO UPDATE SET sequence = EXCLUDED.sequence, at = EXCLUDED.at WHERE m.sequence < ?";
        this.markerHolderEnd = markerTable == null ? null : "SELECT a.pid, pg_terminate_backend(a.pid, 5000) FROM pg_stat_activity a, "
                + markerTable + " m WHERE m.run = '" + CommitMarkers.run() + "' AND m.slot = ? AND a.backend_xid = m.xmax"
                + " AND a.state = 'active' AND a.usename = current_user AND a.pid <> pg_backend_pid()";
        this.inlinePrefix = "SELECT set_config('resilient.marker_sequence', ?, true), set_config('resilient.marker_slot', ?, true);"
                + "WITH resilient_applied AS (";
        // The newline ends a trailing -- comment of the application's text.
        this.inlineSuffix = markerTable == null ? null : "\nRETURNING 1), resilient_marker AS (UPDATE " + markerTable
                + " SET sequence = " + guarded("sequence", "current_setting('resilient.marker_sequence')::bigint")
                + ", applied = (SELECT count(*) FROM resilient_applied),"
                + " at = clock_timestamp() WHERE run = '" + CommitMarkers.run() + "' AND slot = current_setting('resilient.marker_slot')::int"
                + " RETURNING 1) SELECT (SELECT count(*) FROM resilient_applied), (SELECT count(*) FROM resilient_marker)";
    }

    /**
     * The new sequence {@code value} when the row's {@code current} one is lower, else an error (22P02) that aborts the
     * transaction, its COMMIT with it: a COMMIT whose outcome was settled as "not committed" has its sequence taken by
     * the fence (see fence()), so its marker write, should it reach the server after all (bytes held up in the network
     * or behind a pooler), can never commit. The error's text gives the row's sequence; it cannot be folded at planning,
     * as it reads the row.
     */
    private static String guarded(String current, String value) {
        return "CASE WHEN " + current + " < " + value + " THEN " + value
                + " ELSE ('resilient-jdbc: this COMMIT was settled as not committed and fenced off; marker sequence '"
                + " || " + current + ")::bigint END";
    }

    static String createTableSql(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (run uuid NOT NULL, slot integer NOT NULL,"
                + " sequence bigint NOT NULL, at timestamptz NOT NULL, applied bigint, PRIMARY KEY (run, slot))";
    }

    /**
     * One round trip to learn whether the fallback's functions may be called (PostgreSQL 13 and later,
     * EXECUTE not revoked) and whether the marker table is there and writable; the table is created
     * when missing, once across all connections and JVMs (an advisory lock serialises the creators:
     * CREATE TABLE IF NOT EXISTS alone races into 23505); rows no connection has touched for a day
     * (runs that ended) are removed. Nothing here fails the connect: what cannot be had is warned about.
     */
    @Override
    public boolean prepare(Connection physical) {
        if (settled) {
            return true; // settled by an earlier connect of the target, through any of its recipes
        }
        boolean done = prepareOrNot(physical);
        settled = done;
        return done;
    }

    private boolean prepareOrNot(Connection physical) {
        try {
            boolean autoCommit = physical.getAutoCommit();
            try {
                boolean settled = prepareOn(physical);
                if (!autoCommit) {
                    physical.commit();
                }
                return settled;
            } catch (SQLException e) {
                if (!autoCommit) {
                    physical.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                return false; // the connection went: the next connect finds out
            }
            markersUsable = false;
            warnNoMarker(e.getMessage());
            return true;
        }
    }

    private boolean prepareOn(Connection physical) throws SQLException {
        String product = physical.getMetaData().getDatabaseProductName();
        if (product == null || !product.toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            // resilient.dialect=postgresql over another driver (its SQLStates, not its catalog): no
            // evidence to gather, a lost COMMIT reply stays 08007, and no query of ours runs on it.
            LOG.log(Level.FINE, "resilient-jdbc: in-doubt evidence off, the server is {0}, not PostgreSQL", product);
            return true;
        }
        if (!evidence) {
            LOG.log(Level.FINE, "resilient-jdbc: in-doubt evidence off (resilient.indoubt.evidence=false) for {0}", target);
            return true; // neither the marker nor the transaction id: nothing to ask the server
        }
        String t = markers == null ? null : markers.table();
        Boolean exists = null;
        boolean applied = false;
        try (Statement s = physical.createStatement();
             ResultSet rs = s.executeQuery("SELECT CASE WHEN current_setting('server_version_num')::int >= 130000 THEN"
                     + " has_function_privilege('pg_current_xact_id_if_assigned()', 'EXECUTE')"
                     + " AND has_function_privilege('pg_xact_status(xid8)', 'EXECUTE')"
                     + " AND has_function_privilege('pg_postmaster_start_time()', 'EXECUTE')"
                     + " AND has_function_privilege('pg_current_snapshot()', 'EXECUTE')"
                     + " AND has_function_privilege('pg_snapshot_xmax(pg_snapshot)', 'EXECUTE') ELSE false END,"
                     + " current_setting('server_version')"
                     + (t == null ? "" : ", CASE WHEN to_regclass('" + t + "') IS NULL THEN NULL"
                     + " ELSE has_table_privilege('" + t + "', 'SELECT, INSERT, UPDATE') END,"
                     + " EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('" + t + "') AND attname = 'applied'"
                     + " AND NOT attisdropped)"))) {
            rs.next();
            xidEvidence = rs.getBoolean(1);
            if (t != null) {
                exists = rs.getObject(3) == null ? null : rs.getBoolean(3);
                applied = rs.getBoolean(4);
            } else if (!xidEvidence) {
                warnNoEvidence(rs.getString(2));
            }
        }
        if (t == null) {
            return true;
        }
        if (Boolean.FALSE.equals(exists)) {
            warnNoMarker("this user may not SELECT, INSERT and UPDATE it");
            return true;
        }
        if (exists == null) {
            if (Boolean.TRUE.equals(standby(physical))) {
                return false; // a standby can create nothing: asked again at the next connect (after a promotion)
            }
            create(physical, t, createTableSql(t));
            applied = true;
        } else if (!applied) {
            // A table made by an earlier version: the column is added once, by whoever may (its owner).
            try {
                create(physical, t, "ALTER TABLE " + t + " ADD COLUMN IF NOT EXISTS applied bigint");
                applied = true;
            } catch (SQLException e) {
                LOG.log(Level.INFO, "resilient-jdbc: the commit marker table {0} of {1} has no applied column and it could not"
                        + " be added ({2}): exactly-once autocommit writes take one round trip more. As the table''s owner:"
                        + " ALTER TABLE {0} ADD COLUMN applied bigint", new Object[]{t, target, e.getMessage()});
            }
        }
        try (Statement s = physical.createStatement()) {
            s.execute("DELETE FROM " + t + " WHERE at < now() - interval '1 day'");
        } catch (SQLException e) {
            if (!physical.getAutoCommit()) {
                physical.rollback();
            }
            LOG.log(Level.FINE, "resilient-jdbc: old marker rows not removed: {0}", e.getMessage());
        }
        markersUsable = true;
        inlineUsable = applied;
        return true;
    }

    /** Runs {@code ddl} on table {@code t} once across connections and JVMs (an advisory lock serialises them). */
    private static void create(Connection physical, String t, String ddl) throws SQLException {
        boolean autoCommit = physical.getAutoCommit();
        physical.setAutoCommit(false);
        try (Statement s = physical.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + (0x7265_7369_0000_0000L | (t.hashCode() & 0xffff_ffffL)) + ")");
            s.execute(ddl);
            physical.commit();
        } catch (SQLException e) {
            physical.rollback();
            // No advisory lock allowed and another creator won the race: the table is there all the same.
            if (!"42P07".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                throw e;
            }
        } finally {
            physical.setAutoCommit(autoCommit);
        }
    }

    /** The marker is off by option and the transaction-id functions cannot be called: said once per target. */
    private void warnNoEvidence(String version) {
        if (warned) {
            return;
        }
        warned = true;
        LOG.log(Level.WARNING, "resilient-jdbc: {0} has no evidence for a COMMIT whose reply is lost: resilient.indoubt.marker"
                + " is false and the transaction-id functions need PostgreSQL 13 or later with EXECUTE on"
                + " pg_current_xact_id_if_assigned(), pg_xact_status(xid8), pg_postmaster_start_time(), pg_current_snapshot()"
                + " and pg_snapshot_xmax(pg_snapshot) (this server: PostgreSQL {1}). Such a COMMIT is reported as 08007, as the"
                + " raw driver reports an error; everything else works. Set resilient.indoubt.marker=true to settle it.",
                new Object[]{target, version});
    }

    private void warnNoMarker(String why) {
        if (warned) {
            return;
        }
        warned = true;
        String t = markers == null ? "resilient_commit_marker" : markers.table();
        LOG.log(Level.WARNING, "resilient-jdbc: the commit marker table {0} cannot be used on {1} ({2}). A COMMIT whose reply"
                + " is lost is then settled from the transaction id where the server allows it (not across a crash or"
                + " restart), else reported as 08007. To settle it always, create the table once as its owner: {3};"
                + " GRANT SELECT, INSERT, UPDATE, DELETE ON {0} TO <the application''s role>. Set"
                + " resilient.indoubt.marker=false to keep the fallback on purpose.", new Object[]{t, target, why, createTableSql(t)});
    }

    /**
     * The marker of a writing transaction whose evidence can go with its COMMIT: the table is usable, the
     * transaction is open and not aborted (pgjdbc knows without a round trip), and nothing says it is
     * read-only (the connection's read-only flag, a read-only default or a standby, as the server reports).
     */
    @Override
    public Ticket marker(Connection physical, CommitMarkers.Holder holder) {
        if (!markersUsable) {
            return null;
        }
        if (!writableIn(physical, "OPEN")) {
            return null;
        }
        CommitMarkers.Slot slot = holder.slot();
        slot.sequence++; // before it is sent: a later attempt never writes a number an earlier one may have committed
        return new Marked(slot, slot.sequence, markers.rowThere(slot), null, holder);
    }

    /**
     * pgjdbc's transaction state is {@code state} and the session may write (not read-only, not a standby's):
     * asked on every writing COMMIT, so the connection is unwrapped once for all of it and nothing goes to the
     * server (pgjdbc keeps what the server reports). Anything unknown answers false: no marker, the fallback.
     */
    private boolean writableIn(Connection physical, String state) {
        PgMethods pg = PG.get(physical.getClass()).orElse(null);
        if (pg == null || pg.transactionState() == null) {
            return false;
        }
        try {
            Class<?> base = pg.transactionState().getDeclaringClass(); // BaseConnection, a PGConnection too
            Object pgc;
            if (base.isInstance(physical)) {
                pgc = physical; // pgjdbc's own connection (no pool between): no unwrap calls
            } else if (physical.isWrapperFor(base)) {
                pgc = physical.unwrap(base);
            } else {
                return false;
            }
            if (!state.equals(String.valueOf(pg.transactionState().invoke(pgc))) || physical.isReadOnly()) {
                return false;
            }
            Method status = pg.parameterStatus();
            return status == null || !"on".equals(status.invoke(pgc, "default_transaction_read_only"))
                    && !(standbySeen && "on".equals(status.invoke(pgc, "in_hot_standby")));
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "resilient-jdbc: pgjdbc state unknown: {0}", e.toString());
            return false;
        }
    }

    /**
     * INSERT, UPDATE or DELETE as the first word, one statement, no RETURNING of its own (the wrapping adds one):
     * such a statement runs unchanged inside a WITH, its update count read back as the count of rows it returns.
     * Anything else (a leading comment too) takes the round trip more; no guess at a text we are unsure of.
     */
    @Override
    public String inlineText(String sql) {
        if (inlineSuffix == null || sql == null || sql.indexOf(';') >= 0 || !inlineable(sql)) {
            return null;
        }
        return inlinePrefix + sql + inlineSuffix;
    }

    static boolean inlineable(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        boolean verb = sql.regionMatches(true, i, "insert", 0, 6) || sql.regionMatches(true, i, "update", 0, 6)
                || sql.regionMatches(true, i, "delete", 0, 6);
        if (!verb || i + 6 >= n || !Character.isWhitespace(sql.charAt(i + 6))) {
            return false;
        }
        for (int k = i; k + 9 <= n; k++) {
            if (sql.regionMatches(true, k, "returning", 0, 9)) {
                return false;
            }
        }
        return true;
    }

    /**
     * As {@link #marker}, for a write about to run in autocommit: no transaction open, and the slot's row known to
     * be there (the first write of a slot upserts it, a round trip more; an inline write only updates).
     */
    @Override
    public Ticket inlineMarker(Connection physical, CommitMarkers.Holder holder) {
        if (!inlineUsable || !markersUsable) {
            return null;
        }
        if (!writableIn(physical, "IDLE")) {
            return null;
        }
        CommitMarkers.Slot slot = holder.slot();
        if (!markers.rowThere(slot)) {
            return null;
        }
        slot.sequence++; // before it is sent, as marker()'s
        return new Marked(slot, slot.sequence, true, new long[]{-1}, holder);
    }

    @Override
    public void bindInline(PreparedStatement s, Ticket ticket) throws SQLException {
        Marked m = (Marked) ticket;
        s.setString(1, Long.toString(m.sequence()));
        s.setString(2, Integer.toString(m.slot().number));
    }

    /** The first result is our settings' row; the second the application's count and whether our row was there. */
    @Override
    public long inlineRan(PreparedStatement s, Ticket ticket) throws SQLException {
        Marked m = (Marked) ticket;
        if (!s.getMoreResults()) {
            throw new SQLException("resilient-jdbc: the exactly-once write answered without its count", "XX000");
        }
        try (ResultSet rs = s.getResultSet()) {
            if (!rs.next()) {
                throw new SQLException("resilient-jdbc: the exactly-once write answered without its count", "XX000");
            }
            long applied = rs.getLong(1);
            if (rs.getLong(2) == 1) {
                markers.rowWritten(m.slot());
            } else {
                markers.rowGone(m.slot()); // removed by hand: committed without its marker; upserted next time
            }
            return applied;
        }
    }

    @Override
    public long appliedBy(Ticket ticket) {
        return ticket instanceof Marked m && m.applied() != null ? m.applied()[0] : -1;
    }

    /**
     * One statement text, so pgjdbc sends both in one exchange (one flush, one Sync, one reply): the
     * marker row's upsert, then COMMIT. An error in the upsert makes the server skip the COMMIT. Once a COMMIT
     * that wrote the row answered (and for the hour after, well inside prepare()'s one-day cleanup), the row is
     * updated in place; an UPDATE that finds no row (removed by hand) commits without its evidence, which
     * {@link #byMarker} answers as unknown, never as "not committed".
     */
    @Override
    public void commitWithMarker(Connection physical, Ticket ticket) throws SQLException {
        Marked m = (Marked) ticket;
        // Prepared as the application's statements are, with the connection's own prepareThreshold: from pgjdbc's
        // fifth use on a connection, a named server statement that the server no longer parses and plans per commit
        // (its CPU per writing transaction was twice raw's with an unnamed one, bench/RESULTS.md); behind a
        // transaction pooler the application sets prepareThreshold=0 for its own statements, and ours follow.
        if (m.update()) {
            PreparedStatement s = m.holder().updateStatement(physical, markerUpdateCommit); // kept for the next COMMIT
            s.setLong(1, m.sequence());
            s.setLong(2, m.sequence());
            s.setInt(3, m.slot().number);
            s.execute();
            if (s.getUpdateCount() == 1) { // the UPDATE's count: the first of the two results
                markers.rowWritten(m.slot());
            } else {
                markers.rowGone(m.slot()); // removed under us (by hand): committed without its marker; upserted next time
            }
            return;
        }
        try (PreparedStatement s = physical.prepareStatement(markerCommit)) {
            s.setInt(1, m.slot().number);
            s.setLong(2, m.sequence());
            s.execute();
        }
        markers.rowWritten(m.slot());
    }

    @Override
    public boolean markerFailed(Connection physical, SQLException e) {
        if (!"FAILED".equals(transactionState(physical))) {
            return false;
        }
        String state = e.getSQLState();
        if (state != null && state.startsWith("42")) { // the table's matter (gone, no privilege), not this transaction's
            if ("42P01".equals(state) && markersUsable && madeAgain(physical, e)) {
                return true; // replayed, its COMMIT with the marker again
            }
            markersUsable = false;
            warnNoMarker(e.getMessage());
        }
        return true;
    }

    /**
     * The marker table is gone (42P01) though prepare() found it: a database made again or restored at this address
     * (the driver keeps a target's findings for the life of the JVM), or the table dropped by hand. The failed
     * transaction is rolled back (the caller replays it) and the table made again, as at a first connect, with no row
     * taken to be there; otherwise every later lost COMMIT reply of the target would have only the transaction id, which
     * a crash makes worthless.
     */
    private boolean madeAgain(Connection physical, SQLException e) {
        try {
            physical.rollback();
        } catch (SQLException rollback) {
            return false;
        }
        markers.forgetRows();
        prepareOrNot(physical);
        if (markersUsable) {
            LOG.log(Level.INFO, "resilient-jdbc: the commit marker table {0} of {1} was gone ({2}) and was made again",
                    new Object[]{markers.table(), target, e.getMessage()});
        }
        return markersUsable;
    }

    /** pgjdbc's transaction state of {@code physical} (IDLE, OPEN, FAILED), known without a round trip; null when unknown. */
    private static String transactionState(Connection physical) {
        PgMethods pg = PG.get(physical.getClass()).orElse(null);
        return pg == null || pg.transactionState() == null ? null : pgCall(physical, pg.transactionState());
    }

    /** The value pgjdbc's {@code method} (of BaseConnection) gives on {@code physical}, as text; null when unknown. */
    private static String pgCall(Connection physical, Method method) {
        try {
            Class<?> type = method.getDeclaringClass();
            if (physical.isWrapperFor(type)) {
                Object v = method.invoke(physical.unwrap(type));
                return v == null ? null : v.toString();
            }
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "resilient-jdbc: pgjdbc state unknown: {0}", e.toString());
        }
        return null;
    }

    /**
     * The transaction id with the server's start time in one round trip (the fallback, where the
     * marker cannot be used): after a restart (above all a crash) PostgreSQL can give an id that never
     * became durable to a new transaction, so an id alone is trusted only on the server run that gave it out.
     */
    @Override
    public Ticket transactionId(Connection physical, CommitMarkers.Holder marker) throws SQLException {
        if ("IDLE".equals(transactionState(physical))) {
            // pgjdbc sent nothing in this transaction (an empty batch counts as a write and sends nothing): no query to
            // ask, and its COMMIT, like the raw driver's, sends nothing either.
            return NothingWritten.TICKET;
        }
        if (!xidEvidence) {
            return null; // an older server, or the functions revoked: the raw driver's behaviour
        }
        try (Statement s = physical.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_xact_id_if_assigned()::text, pg_postmaster_start_time()::text")) {
            if (!rs.next()) {
                return null;
            }
            if (rs.getString(1) == null) {
                return NothingWritten.TICKET; // no id was assigned: the transaction wrote nothing
            }
            return new Xact(Long.parseLong(rs.getString(1)), rs.getString(2));
        }
    }

    /**
     * The marker answers when there is one; otherwise the transaction id's status, the server run and
     * the last checkpoint are gathered here and {@link RerunRules#byTransactionStatus} says what they prove.
     */
    @Override
    public InDoubtAnswer outcome(Connection fresh, Ticket ticket, Object oldSession) throws SQLException {
        try {
            InDoubtAnswer r = ticket instanceof Marked m ? byMarker(fresh, m) : resolve(fresh, (Xact) ticket);
            endTransaction(fresh);
            return r;
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                throw e; // the new connection went too (the server crashed again): the caller asks on another
            }
            LOG.log(Level.FINE, "resilient-jdbc: in-doubt lookup failed: {0}", e.getMessage());
            try {
                if (!fresh.getAutoCommit()) {
                    fresh.rollback(); // our failed query must not leave the new connection's transaction aborted
                }
            } catch (SQLException ignored) {
                // the connection is broken too: the caller gets UNKNOWN either way
            }
            return InDoubtAnswer.NO_ANSWER;
        }
    }

    private InDoubtAnswer resolve(Connection fresh, Xact t) throws SQLException {
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
                    return InDoubtAnswer.NO_ANSWER;
                }
                status = rs.getString(1);
                sameRun = t.serverRun().equals(rs.getString(2));
                mayReadCheckpoint = rs.getBoolean(3);
            }
        }
        return RerunRules.byTransactionStatus(status, sameRun, () -> mayReadCheckpoint && t.xid() >= checkpointNextXid(fresh));
    }

    /**
     * The marker settles it, on the same server run and after a restart, a crash or a promotion alike: our sequence in
     * the row is our COMMIT. Otherwise a session still running a transaction that holds the row is ended first
     * (endRowHolder), and the fence decides without needing the old session's pid (behind a transaction pooler the
     * backend pid pgjdbc reports is not a server pid): the row is given the next sequence unless
     * ours is there, waiting for the row's lock (an old transaction still committing holds it) at most
     * resilient.indoubt.fenceWait. Once the fence has committed, the old COMMIT's marker write fails wherever it turns
     * up (see guarded()), so "not committed" stays true. The fence's own sequence in the row means a fence of ours
     * landed (its reply lost).
     */
    private InDoubtAnswer byMarker(Connection fresh, Marked m) throws SQLException {
        long seen = markerSequence(fresh, m);
        InDoubtAnswer known = settledBy(seen, m);
        if (known != null) {
            return known;
        }
        if (rowVanished(seen, m)) {
            return InDoubtAnswer.NO_ANSWER;
        }
        if (endRowHolder(fresh, m)) {
            known = settledBy(markerSequence(fresh, m), m);
            if (known != null) {
                return known;
            }
        }
        if (!fence(fresh, m)) {
            long after = markerSequence(fresh, m);
            known = settledBy(after, m);
            return known != null ? known : InDoubtAnswer.NO_ANSWER;
        }
        return new InDoubtAnswer(InDoubtOutcome.ABORTED, InDoubtEvidence.MARKER);
    }

    /**
     * The old transaction still runs holding the slot's row (it wrote the marker and its COMMIT has not ended: a
     * synchronous standby that does not answer, a stalled disk), and its session was not ended by pid (behind a
     * pooler pgjdbc's pid is the pooler's): the row's xmax names that transaction, so its session is ended here, as
     * {@link #endOldBackend} ends it when the pid is known. Its COMMIT then either completed (a stalled one is committed
     * locally once its session ends) or never will, and the row tells which. Only a session of this user running a
     * statement now, holding this JVM's row of this slot: nothing idle, nobody else's. True when one was ended.
     */
    private boolean endRowHolder(Connection fresh, Marked m) {
        boolean ended = false;
        try (PreparedStatement ps = fresh.prepareStatement(markerHolderEnd)) {
            ps.setInt(1, m.slot().number);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean gone = rs.getBoolean(2);
                    LOG.log(Level.FINE, "resilient-jdbc: ended the session {0} holding marker slot {1}: {2}",
                            new Object[]{rs.getInt(1), m.slot().number, gone});
                    ended |= gone;
                }
            }
        } catch (SQLException e) {
            // Not allowed (another role's session), or pg_terminate_backend without a timeout (PostgreSQL 13): the fence
            // waits for the lock as before.
            LOG.log(Level.FINE, "resilient-jdbc: could not end the session holding marker slot {0}: {1}",
                    new Object[]{m.slot().number, e.getMessage()});
        }
        try {
            endTransaction(fresh);
        } catch (SQLException e) {
            LOG.log(Level.FINE, "resilient-jdbc: {0}", e.getMessage());
        }
        return ended;
    }

    /** Our COMMIT's sequence: committed; the fence's (the next one): not committed; anything else: not settled yet. */
    private static InDoubtAnswer settledBy(long seen, Marked m) {
        if (seen == m.sequence()) {
            return new InDoubtAnswer(InDoubtOutcome.COMMITTED, InDoubtEvidence.MARKER);
        }
        if (seen == m.sequence() + 1) {
            return new InDoubtAnswer(InDoubtOutcome.ABORTED, InDoubtEvidence.MARKER);
        }
        return null;
    }

    /**
     * In a transaction of its own on {@code fresh}: the slot's row gets sequence + 1 unless it holds our sequence.
     * True when it did (our COMMIT did not happen and now cannot); false when the row already held ours (or more), or the
     * old transaction kept the lock past the wait.
     */
    private boolean fence(Connection fresh, Marked m) throws SQLException {
        // The slot's next COMMIT must write above the fence's number, whatever becomes of this attempt.
        m.slot().sequence = Math.max(m.slot().sequence, m.sequence() + 1);
        boolean autoCommit = fresh.getAutoCommit();
        if (autoCommit) {
            fresh.setAutoCommit(false);
        }
        try {
            try (Statement s = fresh.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED;SET LOCAL lock_timeout = " + fenceWaitMillis);
            }
            int count;
            try (PreparedStatement ps = fresh.prepareStatement(markerFence)) {
                ps.setInt(1, m.slot().number);
                ps.setLong(2, m.sequence() + 1);
                ps.setLong(3, m.sequence());
                count = ps.executeUpdate();
            }
            fresh.commit();
            return count == 1;
        } catch (SQLException e) {
            try {
                fresh.rollback();
            } catch (SQLException ignored) {
                // the connection went too: the caller sees e
            }
            if ("55P03".equals(e.getSQLState())) {
                return false; // the old transaction still holds the row: read again, unknown unless it has ended
            }
            throw e;
        } finally {
            if (autoCommit) {
                try {
                    fresh.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // a broken connection is replaced before its next use
                }
            }
        }
    }

    /**
     * No row ({@code seen} -1) where our UPDATE took one to be (removed by hand): that COMMIT may have landed without
     * leaving our number, so the row proves nothing either way. The next COMMIT writes the row anew.
     */
    private boolean rowVanished(long seen, Marked m) {
        if (seen < 0 && m.update()) {
            markers.rowGone(m.slot());
            return true;
        }
        return false;
    }

    private long markerSequence(Connection fresh, Marked m) throws SQLException {
        String applied = m.applied() == null ? "" : ", applied";
        try (PreparedStatement ps = fresh.prepareStatement("SELECT sequence" + applied + " FROM " + markers.table()
                + " WHERE run = ?::uuid AND slot = ?")) {
            ps.setString(1, CommitMarkers.run().toString());
            ps.setInt(2, m.slot().number);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return -1;
                }
                if (m.applied() != null) {
                    long a = rs.getLong(2);
                    m.applied()[0] = rs.wasNull() ? -1 : a; // ours only where the sequence is ours: appliedBy's caller knows
                }
                return rs.getLong(1);
            }
        } finally {
            endTransaction(fresh);
        }
    }

    /** Outside autocommit our lookups opened a transaction on the new connection: it ends before anything else runs. */
    private static void endTransaction(Connection fresh) throws SQLException {
        if (!fresh.getAutoCommit()) {
            fresh.rollback();
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
