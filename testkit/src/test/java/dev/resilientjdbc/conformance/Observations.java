package dev.resilientjdbc.conformance;

import dev.resilientjdbc.proxy.ResilientProxy;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What the application observed during a scenario, as comparable values: results, update counts,
 * booleans, identities, and exceptions (class, SQLState, vendor code, message). Runs through the
 * raw driver and through resilient-jdbc must produce equal lists.
 */
final class Observations {
    final boolean proxied;
    final List<Object> log = new ArrayList<>();

    Observations(boolean proxied) {
        this.proxied = proxied;
    }

    interface Action {
        Object run() throws Exception;
    }

    void add(String label, Object value) {
        // Each run has its own namespace; its name is the one thing allowed to differ.
        log.add((label + "=" + norm(value)).replace("conf_raw", "conf_NS").replace("conf_prx", "conf_NS"));
    }

    /** Runs an action and records its result, or the exception it threw. */
    void attempt(String label, Action a) {
        try {
            add(label, a.run());
        } catch (Exception e) {
            add(label, exception(e));
        }
    }

    static String exception(Throwable e) {
        if (e instanceof SQLException) {
            SQLException s = (SQLException) e;
            return "EXC " + e.getClass().getName() + " state=" + s.getSQLState() + " code=" + s.getErrorCode() + " msg=" + s.getMessage();
        }
        return "EXC " + e.getClass().getName() + " msg=" + e.getMessage();
    }

    /** Every row and column of a result set, read with getObject, getString and wasNull. */
    void rows(String label, ResultSet rs) throws SQLException {
        assertProxy(rs);
        ResultSetMetaData md = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnLabel(i) + ":" + md.getColumnTypeName(i) + ":" + md.getColumnType(i));
        }
        add(label + ".columns", columns);
        int n = 0;
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                row.add(norm(rs.getObject(i)));
                row.add(rs.wasNull());
                row.add(rs.getString(i));
            }
            add(label + ".row" + (n++), row);
        }
        add(label + ".next-after-end", rs.next());
    }

    /** In the proxied run, every JDBC object the application reaches must be one of ours. */
    void assertProxy(Object o) {
        if (proxied && o != null && !(o instanceof ResilientProxy)) {
            throw new AssertionError("not a proxy: " + o.getClass().getName());
        }
    }

    static Object norm(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof ResultSet || v instanceof java.sql.Statement || v instanceof java.sql.Connection) {
            // Compared by what they hold elsewhere; here only their JDBC kind is comparable.
            return "<" + (v instanceof ResultSet ? "ResultSet" : v instanceof java.sql.Statement ? "Statement" : "Connection") + ">";
        }
        if (v instanceof byte[]) {
            return "bytes:" + HexFormat.of().formatHex((byte[]) v);
        }
        if (v instanceof BigDecimal) {
            return "dec:" + ((BigDecimal) v).toPlainString();
        }
        if (v instanceof Array) {
            try {
                Object a = ((Array) v).getArray();
                return "array:" + (a instanceof Object[] ? Arrays.deepToString((Object[]) a) : String.valueOf(a));
            } catch (SQLException e) {
                return "array:" + exception(e);
            }
        }
        if (v instanceof Object[]) {
            return Arrays.deepToString((Object[]) v);
        }
        if (v instanceof int[]) {
            return Arrays.toString((int[]) v);
        }
        if (v instanceof long[]) {
            return Arrays.toString((long[]) v);
        }
        if (v instanceof java.sql.Timestamp || v instanceof java.util.Date || v instanceof java.time.temporal.Temporal) {
            return v.getClass().getSimpleName() + ":" + v;
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof String || v instanceof List) {
            return v;
        }
        // Driver objects (PGobject, ...) compare by their text.
        return v.getClass().getName() + ":" + v;
    }
}
