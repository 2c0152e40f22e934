package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** Small recorded JDBC steps the scenarios share. */
final class Sql {
    private Sql() {}

    /** executeUpdate, recording the update count or the exception. */
    static void update(Probe p, String sql) throws Exception {
        try (Statement s = p.connection().createStatement()) {
            p.log().attempt(sql, () -> s.executeUpdate(sql));
        }
    }

    /** Several statements, each recorded. */
    static void updates(Probe p, String... sqls) throws Exception {
        for (String sql : sqls) {
            update(p, sql);
        }
    }

    /** executeQuery, recording every row (or the exception). */
    static void query(Probe p, String sql) throws Exception {
        query(p, p.connection(), sql);
    }

    static void query(Probe p, Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            ResultSet rs = p.log().attempt("query " + sql, () -> s.executeQuery(sql));
            if (rs != null) {
                p.reachable("result set of " + sql, rs);
                p.log().rows(sql, rs);
                rs.close();
            }
        }
    }

    static Observations log(Probe p) {
        return p.log();
    }
}
