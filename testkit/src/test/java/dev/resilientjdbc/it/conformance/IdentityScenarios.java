package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.proxy.ResilientProxy;
import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.sql.Wrapper;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Back-references, unwrap/isWrapperFor and equals/hashCode. Identities are recorded as booleans,
 * which must agree between the runs; that each object is (or is not) a proxy is checked per side.
 */
final class IdentityScenarios {
    private IdentityScenarios() {}

    static void register(Catalog c) {
        c.add("back-references", p -> backReferences(p, c.dialect()));
        c.add("unwrap and isWrapperFor", p -> unwrap(p, c.dialect()));
        c.add("equals and hashCode", IdentityScenarios::equality);
        c.pgOnly("refcursor result set from getObject", IdentityScenarios::refcursor);
    }

    private static void backReferences(Probe p, Dialect d) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        p.reachable("connection", c);
        Sql.update(p, "create table br_t (id " + d.pick("serial", "integer") + " primary key, v integer)");
        try (Statement s = c.createStatement()) {
            p.reachable("statement", s);
            log.attempt("stmt.getConnection() == conn", () -> s.getConnection() == c);
            p.reachable("stmt.getConnection()", s.getConnection());
            ResultSet rs = s.executeQuery("select 1 as one");
            p.reachable("result set", rs);
            log.attempt("rs.getStatement() == stmt", () -> rs.getStatement() == s);
            log.attempt("stmt.getResultSet() == rs", () -> s.getResultSet() == rs);
            log.attempt("stmt.getResultSet() twice is the same", () -> s.getResultSet() == s.getResultSet());
            log.attempt("rs.getStatement().getConnection() == conn", () -> rs.getStatement().getConnection() == c);

            // Asking for generated keys in between must not change which object getResultSet() returns.
            ResultSet keysAfterQuery = log.attempt("getGeneratedKeys after a query", s::getGeneratedKeys);
            p.reachable("generated keys after a query", keysAfterQuery);
            log.attempt("stmt.getResultSet() == rs after getGeneratedKeys", () -> s.getResultSet() == rs);
            log.attempt("rs.getStatement() == stmt after getGeneratedKeys", () -> rs.getStatement() == s);

            log.attempt("insert with keys", () -> s.executeUpdate("insert into br_t (v) values (1)", Statement.RETURN_GENERATED_KEYS));
            ResultSet keys = log.attempt("getGeneratedKeys", s::getGeneratedKeys);
            if (keys != null) {
                p.reachable("generated keys", keys);
                Statement owner = keys.getStatement();
                p.reachable("generated keys getStatement()", owner);
                log.note("keys.getStatement() == stmt", owner == s);
                log.note("keys.getStatement() is null", owner == null);
                log.attempt("keys.getStatement().getConnection() == conn", () -> owner != null && owner.getConnection() == c);
                log.attempt("getGeneratedKeys() twice is the same", () -> s.getGeneratedKeys() == keys);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select ? as x")) {
            p.reachable("prepared statement", ps);
            log.attempt("ps.getConnection() == conn", () -> ps.getConnection() == c);
            ps.setInt(1, 5);
            ResultSet rs = ps.executeQuery();
            p.reachable("prepared result set", rs);
            log.attempt("prepared rs.getStatement() == ps", () -> rs.getStatement() == ps);
            log.attempt("ps.getResultSet() == rs", () -> ps.getResultSet() == rs);
            log.attempt("ps.execute()", ps::execute);
            ResultSet again = ps.getResultSet();
            log.note("after re-execution getResultSet() is another object", again != rs);
            log.attempt("after re-execution getResultSet() twice is the same", () -> ps.getResultSet() == again);
            log.attempt("first result set closed by re-execution", rs::isClosed);
        }
        if (d.pg()) {
            try (CallableStatement cs = c.prepareCall("{? = call abs(?)}")) {
                p.reachable("callable statement", cs);
                log.attempt("cs.getConnection() == conn", () -> cs.getConnection() == c);
                cs.registerOutParameter(1, Types.INTEGER);
                cs.setInt(2, -3);
                log.attempt("callable execute", cs::execute);
                log.attempt("callable out", () -> cs.getInt(1));
            }
        }
        DatabaseMetaData md = c.getMetaData();
        p.reachable("metadata", md);
        log.attempt("md.getConnection() == conn", () -> md.getConnection() == c);
        log.attempt("getMetaData() twice is the same", () -> c.getMetaData() == md);
        try (ResultSet tables = md.getTables(null, d.schema(), "br_t", null)) {
            p.reachable("metadata result set", tables);
            Statement owner = tables.getStatement();
            log.note("metadata rs.getStatement() is null", owner == null);
            if (owner != null) {
                p.reachable("metadata rs.getStatement()", owner);
                log.attempt("metadata rs.getStatement().getConnection() == conn", () -> owner.getConnection() == c);
                p.reachable("metadata rs.getStatement().getConnection()", owner.getConnection());
                log.attempt("metadata rs.getStatement() twice is the same", () -> tables.getStatement() == owner);
            }
            log.rows("metadata rs", tables);
        }
    }

    private static void refcursor(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.updates(p, "create table rc_t (id integer)", "insert into rc_t values (1), (2)",
                "create function rc_open() returns refcursor as $$ declare r refcursor;"
                        + " begin open r for select id from rc_t order by id; return r; end $$ language plpgsql");
        c.setAutoCommit(false); // a refcursor lives only inside its transaction
        try (CallableStatement cs = c.prepareCall("{? = call rc_open()}")) {
            cs.registerOutParameter(1, Types.REF_CURSOR);
            log.attempt("execute", cs::execute);
            Object cursor = log.attempt("getObject(1)", () -> cs.getObject(1));
            if (cursor instanceof ResultSet) {
                ResultSet rs = (ResultSet) cursor;
                p.reachable("refcursor result set", rs);
                Statement owner = rs.getStatement();
                p.reachable("refcursor getStatement()", owner);
                log.note("refcursor getStatement() is null", owner == null);
                log.attempt("refcursor getStatement().getConnection() == conn", () -> owner != null && owner.getConnection() == c);
                log.rows("refcursor", rs);
            }
            ResultSet typed = log.attempt("getObject(1, ResultSet.class)", () -> cs.getObject(1, ResultSet.class));
            p.reachable("refcursor getObject(1, ResultSet.class)", typed);
            ResultSet current = log.attempt("getResultSet", cs::getResultSet);
            log.attempt("getResultSet twice is the same", () -> cs.getResultSet() == current);
            log.attempt("getObject(1) again", () -> cs.getObject(1) == cursor);
            log.attempt("getResultSet after getObject is the same", () -> cs.getResultSet() == current);
        }
        c.commit();
        c.setAutoCommit(true);
    }

    private static void unwrap(Probe p, Dialect d) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Class<?> vendorConnection = d.pick(org.postgresql.PGConnection.class, org.sqlite.SQLiteConnection.class);
        Class<?> realConnection = d.pick(org.postgresql.jdbc.PgConnection.class, org.sqlite.jdbc4.JDBC4Connection.class);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            DatabaseMetaData md = c.getMetaData();
            Class<?> vendorStatement = d.pick(org.postgresql.PGStatement.class, org.sqlite.jdbc3.JDBC3Statement.class);
            Object[][] cases = {
                    {"connection", c, Connection.class}, {"connection", c, vendorConnection}, {"connection", c, realConnection},
                    {"statement", s, Statement.class}, {"statement", s, vendorStatement},
                    {"result set", rs, ResultSet.class}, {"metadata", md, DatabaseMetaData.class},
                    {"connection", c, String.class}, {"statement", s, Connection.class}};
            for (Object[] k : cases) {
                String what = k[0] + " " + ((Class<?>) k[2]).getSimpleName();
                Wrapper w = (Wrapper) k[1];
                Class<?> iface = (Class<?>) k[2];
                log.attempt(what + " isWrapperFor", () -> w.isWrapperFor(iface));
                // java.sql.Wrapper: an interface the receiver implements unwraps to the receiver (raw: the driver's
                // object; resilient: the proxy); a class to the real object, whose class both runs then name.
                Object real = log.attempt(what + " unwrap", () -> {
                    Object u = w.unwrap(iface);
                    return u == null ? null : iface.isInterface() ? (u == w ? "the receiver" : "another object") : u.getClass().getName();
                });
                if (real != null) {
                    Object u = w.unwrap(iface);
                    if (iface.isInterface()) {
                        p.require(what + ": unwrap to an interface the receiver implements is the receiver", u == w);
                    } else {
                        p.require(what + ": unwrap to a class reaches the real object, not a proxy", !(u instanceof ResilientProxy));
                    }
                    log.note(what + " unwrap is an instance of the interface", iface.isInstance(u));
                    log.note(what + " unwrap twice is the same", w.unwrap(iface) == u);
                }
            }
            // Our marker: only the proxy is a wrapper for it, and unwrapping it gives the proxy itself.
            for (Object[] k : new Object[][] {{"connection", c}, {"statement", s}, {"result set", rs}, {"metadata", md}}) {
                Wrapper w = (Wrapper) k[1];
                if (p.proxied()) {
                    p.require(k[0] + ".isWrapperFor(ResilientProxy)", w.isWrapperFor(ResilientProxy.class));
                    p.require(k[0] + ".unwrap(ResilientProxy) is the proxy", w.unwrap(ResilientProxy.class) == w);
                } else {
                    p.require(k[0] + ": raw object is no wrapper for ResilientProxy", !w.isWrapperFor(ResilientProxy.class));
                }
            }
            // No longer a difference (issue 16): unwrap(Connection.class) is the receiver on both runs, so asking for
            // a standard interface never steps out of resilience; a driver class reaches the real connection.
            p.require("unwrap(Connection.class) is the receiver", c.unwrap(Connection.class) == c);
            Object realOne = c.unwrap(realConnection);
            p.require("unwrap(" + realConnection.getSimpleName() + ") is the real connection",
                    realConnection.isInstance(realOne) && !(realOne instanceof ResilientProxy));
            if (d.pg()) {
                org.postgresql.PGConnection pg = c.unwrap(org.postgresql.PGConnection.class);
                p.require("unwrap(PGConnection) is the receiver", pg == c);
                log.note("unwrap(PGConnection).getBackendPID() > 0", pg.getBackendPID() > 0);
            } else {
                org.sqlite.SQLiteConnection sc = c.unwrap(org.sqlite.SQLiteConnection.class);
                log.note("unwrap(SQLiteConnection) autoCommit", sc.getAutoCommit());
                log.note("unwrap(SQLiteConnection) busy timeout", sc.getBusyTimeout());
            }
        }
    }

    private static void equality(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Connection other = p.openAnother();
        int hash = c.hashCode();
        log.note("conn.equals(conn)", c.equals(c));
        log.note("conn.equals(other)", c.equals(other));
        log.note("other.equals(conn)", other.equals(c));
        log.note("conn.equals(null)", c.equals(null));
        log.note("conn.equals(a string)", c.equals("conn"));
        // Its text holds identity hashes on the raw side, so only that there is one compares.
        log.note("conn.toString() is not empty", !c.toString().isEmpty());
        Set<Connection> set = new HashSet<>();
        log.note("set.add(conn)", set.add(c));
        log.note("set.add(other)", set.add(other));
        log.note("set.add(conn) again", set.add(c));
        log.note("set size", set.size());
        log.note("set.contains(conn)", set.contains(c));
        Map<Object, String> map = new HashMap<>();
        try (Statement s = c.createStatement(); Statement s2 = c.createStatement()) {
            int sHash = s.hashCode();
            map.put(c, "conn");
            map.put(s, "stmt");
            log.note("stmt.equals(stmt)", s.equals(s));
            log.note("stmt.equals(another stmt)", s.equals(s2));
            ResultSet rs = s.executeQuery("select 1");
            map.put(rs, "rs");
            log.note("rs.equals(rs)", rs.equals(rs));
            log.note("rs.equals(stmt)", rs.equals(s));
            log.attempt("rs.equals(getResultSet())", () -> rs.equals(s.getResultSet()));
            DatabaseMetaData md = c.getMetaData();
            log.note("md.equals(md)", md.equals(md));
            log.attempt("md.equals(other's md)", () -> md.equals(other.getMetaData()));
            rs.next();
            log.note("stmt hashCode stable", s.hashCode() == sHash);
            log.note("map lookups", map.get(c) + "," + map.get(s) + "," + map.get(rs) + "," + map.get(other));
            rs.close();
            log.note("rs hash lookup after close", map.get(rs));
        }
        other.close();
        c.setAutoCommit(false);
        c.setAutoCommit(true);
        log.note("conn hashCode stable", c.hashCode() == hash);
        log.note("set.contains(conn) after use", set.contains(c));
        log.note("set.contains(other) after close", set.contains(other));
        log.note("set.remove(other)", set.remove(other));
        log.note("set size", set.size());
    }
}
