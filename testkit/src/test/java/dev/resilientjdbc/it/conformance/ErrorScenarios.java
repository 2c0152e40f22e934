package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.sqlite.SQLiteException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Errors reach the application as the real driver's own exception objects: same class, SQLState,
 * vendor code and message as on the raw driver, never wrapped by the proxy machinery.
 */
final class ErrorScenarios {
    private ErrorScenarios() {}

    static void register(Catalog c) {
        c.add("exceptions", p -> exceptions(p, c.dialect()));
    }

    private static void exceptions(Probe p, Dialect d) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.updates(p,
                "create table err_parent (id integer primary key)",
                "create table err_t (id integer primary key, name varchar(10) not null, qty integer check (qty >= 0),"
                        + " parent integer references err_parent (id))",
                "insert into err_parent values (1)",
                "insert into err_t values (1, 'one', 1, 1)");
        String[][] failing = {
                {"syntax error", "selec 1"},
                {"unknown table", "select * from no_such_table"},
                {"unknown column", "select no_such_column from err_t"},
                {"unique violation", "insert into err_t values (1, 'dup', 1, 1)"},
                {"not-null violation", "insert into err_t values (2, null, 1, 1)"},
                {"check violation", "insert into err_t values (3, 'neg', -1, 1)"},
                {"foreign key violation", "insert into err_t values (4, 'orphan', 1, 99)"},
                {"division by zero", "select 1 / 0"},
                {"division by zero in a column", "select id / (qty - 1) from err_t"},
                {"bad cast", d.pick("select 'abc'::integer", "select cast('abc' as integer)")},
                {"value too long", "insert into err_t values (5, 'much too long a name', 1, 1)"},
                {"empty statement", ""},
        };
        try (Statement s = c.createStatement()) {
            for (String[] f : failing) {
                try {
                    boolean result = s.execute(f[1]);
                    log.note(f[0] + " succeeded, result set", result);
                    if (result) {
                        log.rows(f[0], s.getResultSet());
                    } else {
                        log.note(f[0] + " update count", s.getUpdateCount());
                    }
                } catch (Exception e) {
                    record(p, f[0], e, d);
                }
            }
            // After all those errors, in auto-commit, the same statement is used again (sqlite-jdbc: a query
            // after the empty statement reports the finalized statement; whatever the driver says is the answer).
            log.attempt("same statement after the errors", () -> s.executeUpdate("insert into err_t values (6, 'six', 6, 1)"));
            java.sql.ResultSet again = log.attempt("same statement, a query", () -> s.executeQuery("select count(*) from err_t"));
            if (again != null) {
                log.rows("same statement, a query", again);
                again.close();
            }
        }
        // A column index past the result's columns: the driver's own error, raised by the getter.
        try (Statement s = c.createStatement()) {
            try (java.sql.ResultSet rs = s.executeQuery("select 1 as only_column")) {
                log.attempt("next", rs::next);
                for (int column : new int[] {0, 2, 5}) {
                    try {
                        log.note("getInt(" + column + ")", rs.getInt(column));
                    } catch (Exception e) {
                        record(p, "getInt(" + column + ")", e, d);
                    }
                }
                try {
                    log.note("getInt(no_such_label)", rs.getInt("no_such_label"));
                } catch (Exception e) {
                    record(p, "getInt(no_such_label)", e, d);
                }
            }
        }
        // The same through a prepared statement, and inside a transaction on PostgreSQL.
        try (PreparedStatement ps = c.prepareStatement("insert into err_t values (?, ?, ?, ?)")) {
            ps.setInt(1, 1);
            ps.setString(2, "dup");
            ps.setInt(3, 1);
            ps.setInt(4, 1);
            try {
                log.note("prepared duplicate", ps.executeUpdate());
            } catch (Exception e) {
                record(p, "prepared duplicate", e, d);
            }
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String sql : new String[] {"insert into err_t values (10, 'ten', 1, 1)", "select 1 / 0", "select 1"}) {
                try {
                    log.note(sql, s.execute(sql));
                } catch (Exception e) {
                    record(p, "in transaction: " + sql, e, d);
                }
            }
        }
        c.rollback();
        c.setAutoCommit(true);
        Sql.query(p, "select * from err_t order by id");
    }

    /** The errors whose exception class must be the vendor's own (sqlite-jdbc throws plain SQLException for some others). */
    private static final java.util.Set<String> VENDOR_CLASS = java.util.Set.of("syntax error", "unique violation",
            "not-null violation", "check violation", "division by zero", "prepared duplicate");

    private static void record(Probe p, String label, Exception e, Dialect d) {
        Observations log = p.log();
        log.thrown(label, e);
        p.require(label + ": not wrapped in " + e.getClass().getName(),
                !(e instanceof UndeclaredThrowableException) && !(e instanceof InvocationTargetException));
        String vendor = d.pick("org.postgresql.", "org.sqlite.");
        if (VENDOR_CLASS.contains(label)) {
            p.require(label + ": the real driver's exception class, got " + e.getClass().getName(),
                    e instanceof SQLException && e.getClass().getName().startsWith(vendor));
        }
        // Made by the driver itself: the frame that created it is the driver's, not ours.
        StackTraceElement[] trace = e.getStackTrace();
        p.require(label + ": created by the real driver, top frame " + (trace.length > 0 ? trace[0] : "none"),
                trace.length > 0 && trace[0].getClassName().startsWith(vendor));
        // The vendor's own accessors work on the object the application caught.
        if (e instanceof PSQLException) {
            ServerErrorMessage m = ((PSQLException) e).getServerErrorMessage();
            if (m != null) {
                log.note(label + " server error", m.getSQLState() + "|" + m.getSeverity() + "|" + m.getTable() + "|"
                        + m.getColumn() + "|" + m.getConstraint() + "|" + m.getDetail() + "|" + m.getPosition());
            }
        }
        if (e instanceof SQLiteException) {
            log.note(label + " result code", ((SQLiteException) e).getResultCode());
        }
    }
}
