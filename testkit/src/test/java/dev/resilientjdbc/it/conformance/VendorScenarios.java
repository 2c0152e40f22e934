package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;
import org.sqlite.Function;
import org.sqlite.SQLiteConnection;

import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Code written against the vendor's own API: casts to the vendor interfaces, COPY, notifications,
 * and (SQLite) unwrapping to the connection class to register a function.
 */
final class VendorScenarios {
    private VendorScenarios() {}

    static void register(Catalog c) {
        c.pgOnly("PostgreSQL vendor casts", VendorScenarios::pgCasts);
        c.pgOnly("PostgreSQL COPY in and out", VendorScenarios::copy);
        c.pgOnly("PostgreSQL backend dies mid-COPY (unwrap), then rollback", p -> copyBackendDies(p, false));
        c.pgOnly("PostgreSQL backend dies mid-COPY (getCopyAPI), then rollback", p -> copyBackendDies(p, true));
        c.sqliteOnly("SQLite unwrap to SQLiteConnection", VendorScenarios::sqlite);
        c.pgOnly("PostgreSQL result sets: vendor interfaces, reflection on their class", VendorScenarios::pgResultSets);
        c.sqliteOnly("SQLite result sets: their own metadata, reflection on their class", VendorScenarios::sqliteResultSets);
    }

    // Result sets of both drivers come as a class of ours on the proxied run (DirectResultSet), not as a Proxy: what
    // the application can do with them must stay what it can do with the real ones.
    private static void pgResultSets(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 42 as n, 'x'::text as t, null::int as z")) {
            resultSetCommon(p, "query", rs);
            log.note("getRefCursor through the cast", ((org.postgresql.PGRefCursorResultSet) rs).getRefCursor());
        }
        try (PreparedStatement ps = c.prepareStatement("select ?::int + 1 as n, 'p' as t, null::int as z")) {
            ps.setInt(1, 41);
            try (ResultSet rs = ps.executeQuery()) {
                resultSetCommon(p, "prepared", rs);
            }
        }
        try (ResultSet rs = c.getMetaData().getTypeInfo()) {
            log.note("metadata result set instanceof PGRefCursorResultSet", rs instanceof org.postgresql.PGRefCursorResultSet);
            p.require("metadata result set is ours on the proxied run", !p.proxied() || rs instanceof dev.resilientjdbc.proxy.ResilientProxy);
        }
    }

    private static void sqliteResultSets(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 42 as n, 'x' as t, null as z")) {
            resultSetCommon(p, "query", rs);
            log.note("instanceof org.sqlite.core.Codes", rs instanceof org.sqlite.core.Codes);
            java.sql.ResultSetMetaData md = (java.sql.ResultSetMetaData) rs;
            log.attempt("cast to ResultSetMetaData: getColumnCount", md::getColumnCount);
            log.attempt("cast to ResultSetMetaData: getColumnName(2)", () -> md.getColumnName(2));
            log.attempt("cast to ResultSetMetaData: isNullable(1)", () -> md.isNullable(1));
        }
        try (PreparedStatement ps = c.prepareStatement("select ? + 1 as n, 'p' as t, null as z")) {
            ps.setInt(1, 41);
            try (ResultSet rs = ps.executeQuery()) {
                resultSetCommon(p, "prepared", rs);
            }
        }
    }

    /** {@code rs}: one row of (42, a text, null). */
    private static void resultSetCommon(Probe p, String what, ResultSet rs) throws Exception {
        Observations log = p.log();
        p.require(what + ": a class of ours, not a java.lang.reflect.Proxy, on the proxied run",
                !p.proxied() || (rs instanceof dev.resilientjdbc.proxy.ResilientProxy && !java.lang.reflect.Proxy.isProxyClass(rs.getClass())));
        for (Class<?> type : List.of(ResultSet.class, java.sql.ResultSetMetaData.class, AutoCloseable.class, java.sql.Wrapper.class)) {
            log.note(what + ": instanceof " + type.getSimpleName(), type.isInstance(rs));
        }
        log.attempt(what + ": next", rs::next);
        log.attempt(what + ": getInt(1)", () -> rs.getInt(1));
        log.attempt(what + ": getLong(\"n\")", () -> rs.getLong("n"));
        log.attempt(what + ": getString(2)", () -> rs.getString(2));
        log.attempt(what + ": getInt(3)", () -> rs.getInt(3));
        log.attempt(what + ": wasNull", rs::wasNull);
        log.attempt(what + ": getBigDecimal(1)", () -> rs.getBigDecimal(1));
        log.attempt(what + ": getInt(4), no such column", () -> rs.getInt(4));
        // Code that finds a method on the object's class and calls it by reflection (as some mappers do).
        log.attempt(what + ": getString(2) by reflection on getClass()",
                () -> rs.getClass().getMethod("getString", int.class).invoke(rs, 2));
        log.attempt(what + ": equals itself", () -> rs.equals(rs));
        log.attempt(what + ": unwrap(ResultSet) is itself", () -> rs.unwrap(ResultSet.class) == rs);
        log.attempt(what + ": getStatement().getConnection() is the application's", () -> rs.getStatement() == null
                || rs.getStatement().getConnection() == p.connection());
        log.attempt(what + ": next at the end", rs::next);
        rs.close();
        log.attempt(what + ": getInt(1) after close", () -> rs.getInt(1));
        log.attempt(what + ": isClosed", rs::isClosed);
    }

    private static void pgCasts(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        log.note("instanceof PGConnection", c instanceof PGConnection);
        log.note("instanceof BaseConnection", c instanceof BaseConnection);
        // A java.lang.reflect.Proxy cannot extend the driver's class: only interfaces survive.
        p.require("instanceof PgConnection only on the raw run",
                (c instanceof org.postgresql.jdbc.PgConnection) != p.proxied());
        PGConnection pg = (PGConnection) c;
        int pid = pg.getBackendPID();
        log.note("getBackendPID() > 0", pid > 0);
        log.note("same pid through unwrap", c.unwrap(PGConnection.class).getBackendPID() == pid);
        log.attempt("pg_backend_pid() matches", () -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                return rs.getInt(1) == pid;
            }
        });
        log.attempt("getPreferQueryMode", pg::getPreferQueryMode);
        log.attempt("getAutosave", pg::getAutosave);
        log.attempt("getDefaultFetchSize", pg::getDefaultFetchSize);
        log.attempt("getPrepareThreshold", pg::getPrepareThreshold);
        log.attempt("escapeIdentifier", () -> pg.escapeIdentifier("a \"b\""));
        log.attempt("escapeLiteral", () -> pg.escapeLiteral("it's"));
        log.attempt("parameter status keys", () -> new TreeSet<>(pg.getParameterStatuses().keySet()).toString());
        log.attempt("client_encoding", () -> pg.getParameterStatus("client_encoding"));
        log.attempt("createArrayOf via PGConnection", () -> pg.createArrayOf("int4", new int[] {1, 2}));
        try (Statement s = c.createStatement()) {
            log.note("statement instanceof PGStatement", s instanceof PGStatement);
            PGStatement ps = (PGStatement) s;
            log.attempt("getPrepareThreshold", ps::getPrepareThreshold);
            log.attemptRun("setPrepareThreshold(1)", () -> ps.setPrepareThreshold(1));
            log.attempt("isUseServerPrepare", ps::isUseServerPrepare);
            log.attempt("getLastOID", ps::getLastOID);
            log.attempt("getAdaptiveFetch", ps::getAdaptiveFetch);
        }
        try (PreparedStatement ps = c.prepareStatement("select ?::int + 1")) {
            PGStatement pgs = (PGStatement) ps;
            pgs.setPrepareThreshold(1);
            for (int i = 0; i < 3; i++) {
                ps.setInt(1, i);
                var rs = ps.executeQuery();
                log.rows("server-prepared " + i, rs);
                log.attempt("isUseServerPrepare " + i, pgs::isUseServerPrepare);
            }
        }
        // Notifications arrive on the connection that listens, through the vendor API.
        try (Statement s = c.createStatement()) {
            s.execute("listen conformance_channel");
            s.execute("notify conformance_channel, 'hello'");
            s.execute("select 1");
        }
        PGNotification[] notes = pg.getNotifications();
        List<String> received = new ArrayList<>();
        for (PGNotification n : notes == null ? new PGNotification[0] : notes) {
            received.add(n.getName() + ":" + n.getParameter() + ":" + (n.getPID() == pid));
        }
        log.note("notifications", received.toString());
        log.attempt("no more notifications", () -> pg.getNotifications().length);
        // Large objects: the vendor API works only inside a transaction, on the connection we hold.
        c.setAutoCommit(false);
        LargeObjectManager lom = pg.getLargeObjectAPI();
        long oid = lom.createLO();
        try (LargeObject lo = lom.open(oid, LargeObjectManager.WRITE)) {
            lo.write(new byte[] {1, 2, 3, 4});
        }
        try (LargeObject lo = lom.open(oid, LargeObjectManager.READ)) {
            log.note("large object read", lo.read(10));
        }
        lom.delete(oid);
        c.commit();
        c.setAutoCommit(true);
    }

    private static void copy(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create table copy_t (id integer primary key, name text, amount numeric(6,2))");
        // The form the brief's users write: a CopyManager over the unwrapped BaseConnection.
        CopyManager viaUnwrap = new CopyManager(c.unwrap(BaseConnection.class));
        log.attempt("copyIn csv", () -> viaUnwrap.copyIn("COPY copy_t FROM STDIN (FORMAT csv)",
                new StringReader("1,one,1.50\n2,\"two, too\",2.25\n3,,\n")));
        // And the vendor API reached through the cast.
        CopyManager viaCast = ((PGConnection) c).getCopyAPI();
        log.attempt("copyIn text via getCopyAPI", () -> viaCast.copyIn("COPY copy_t FROM STDIN",
                new StringReader("4\tfour\t4.00\n")));
        log.attempt("copyIn bad row", () -> viaCast.copyIn("COPY copy_t FROM STDIN (FORMAT csv)",
                new StringReader("5,five,not a number\n")));
        StringWriter out = new StringWriter();
        log.attempt("copyOut csv", () -> viaUnwrap.copyOut("COPY (select * from copy_t order by id) TO STDOUT (FORMAT csv, HEADER)", out));
        log.note("copied out", out.toString());
        StringWriter outCast = new StringWriter();
        log.attempt("copyOut text via getCopyAPI", () -> viaCast.copyOut("COPY copy_t TO STDOUT", outCast));
        log.note("copied out via cast", outCast.toString());
        log.attempt("copyOut of a missing table", () -> viaCast.copyOut("COPY nope TO STDOUT", new StringWriter()));
        Sql.query(p, "select count(*) from copy_t");
    }

    /**
     * The backend is terminated while a COPY runs in a transaction: the COPY ran on the real connection,
     * where nothing could record it, so rollback() must report the loss as the raw driver does.
     */
    private static void copyBackendDies(Probe p, boolean viaCast) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create table copy_die (id integer)");
        // Made before the transaction, as an application keeps one: the transaction's COPY is still out of sight.
        CopyManager copy = viaCast ? ((PGConnection) c).getCopyAPI() : new CopyManager(c.unwrap(BaseConnection.class));
        int pid = c.unwrap(PGConnection.class).getBackendPID();
        c.setAutoCommit(false);
        org.postgresql.copy.CopyIn in = copy.copyIn("COPY copy_die FROM STDIN");
        byte[] row = "1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        in.writeToCopy(row, 0, row.length);
        in.flushCopy();
        Connection admin = p.openAnother();
        terminate(admin, pid);
        SQLException copyFailure = null;
        try {
            for (int i = 0; i < 10_000; i++) {
                in.writeToCopy(row, 0, row.length);
            }
            in.endCopy();
        } catch (SQLException e) {
            copyFailure = e;
        }
        p.require("the fault hit: the COPY failed once its backend was gone", copyFailure != null);
        log.note("the COPY failed with a connection error", copyFailure != null && copyFailure.getSQLState().startsWith("08"));
        // The SQLState, not the message: which of the socket's errors (broken pipe, reset) comes is the kernel's choice.
        try {
            c.rollback();
            log.note("rollback", "returned normally");
        } catch (SQLException e) {
            log.note("rollback failed with SQLState", e.getSQLState());
        }
        try (Statement s = admin.createStatement(); var rs = s.executeQuery("select count(*) from copy_die")) {
            rs.next();
            log.note("rows copied", rs.getInt(1));
        }
    }

    /** pg_terminate_backend, then until the backend is gone. */
    private static void terminate(Connection admin, int pid) throws Exception {
        try (Statement s = admin.createStatement()) {
            s.execute("select pg_terminate_backend(" + pid + ")");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                try (var rs = s.executeQuery("select count(*) from pg_stat_activity where pid = " + pid)) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("backend " + pid + " was not terminated");
    }

    private static void sqlite(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        log.note("isWrapperFor(SQLiteConnection)", c.isWrapperFor(SQLiteConnection.class));
        // SQLiteConnection is a class, not an interface: a java.lang.reflect.Proxy can never be one.
        p.require("instanceof SQLiteConnection only on the raw run", (c instanceof SQLiteConnection) != p.proxied());
        SQLiteConnection sc = c.unwrap(SQLiteConnection.class);
        log.note("unwrapped class", sc.getClass().getName());
        log.note("libversion", sc.getDatabase().libversion());
        log.note("busy timeout", sc.getBusyTimeout());
        log.note("date class", sc.getConnectionConfig().getDateClass());
        Function.create(sc, "twice", new Function() {
            @Override
            protected void xFunc() throws SQLException {
                result(value_int(0) * 2);
            }
        });
        Sql.query(p, "select twice(21) as answer");
        Sql.query(p, "select twice('x') as answer");
        log.attemptRun("Function.destroy", () -> Function.destroy(sc, "twice"));
        Sql.query(p, "select twice(1)");
    }
}
