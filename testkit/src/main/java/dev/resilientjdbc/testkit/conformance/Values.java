package dev.resilientjdbc.testkit.conformance;

import java.lang.reflect.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Renders observed values as text that is equal exactly when the observations are: type and value,
 * bytes as hex, arrays element by element. JDBC objects render as their interface only, since the
 * proxy's class legitimately differs from the real one.
 */
public final class Values {
    private Values() {}

    public static String render(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[]) {
            return "byte[]:" + HexFormat.of().formatHex((byte[]) v);
        }
        if (v.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0, n = Array.getLength(v); i < n; i++) {
                items.add(render(Array.get(v, i)));
            }
            return v.getClass().getComponentType().getSimpleName() + "[]:" + items;
        }
        if (v instanceof java.sql.Array) {
            java.sql.Array a = (java.sql.Array) v;
            try {
                return "Array<" + a.getBaseTypeName() + ">:" + render(a.getArray());
            } catch (SQLException e) {
                return "Array:" + thrown(e);
            }
        }
        if (v instanceof Connection) {
            return "<Connection>";
        }
        if (v instanceof Statement) {
            return "<Statement>";
        }
        if (v instanceof ResultSet) {
            return "<ResultSet>";
        }
        if (v instanceof DatabaseMetaData) {
            return "<DatabaseMetaData>";
        }
        if (v instanceof Throwable) {
            return thrown((Throwable) v);
        }
        String text = String.valueOf(v);
        if (text.equals(v.getClass().getName() + "@" + Integer.toHexString(v.hashCode()))) {
            // Object.toString(): only the identity hash, which differs between any two runs.
            return v.getClass().getName() + ":<no toString>";
        }
        return v.getClass().getName() + ":" + text;
    }

    /**
     * An exception as the application sees it: class, SQLState, vendor code, message, where it was
     * created, and the same for its causes and chained exceptions.
     */
    public static String thrown(Throwable t) {
        StringBuilder out = new StringBuilder("!");
        appendOne(out, t);
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            out.append(" cause ");
            appendOne(out, c);
        }
        if (t instanceof SQLException) {
            SQLException next = ((SQLException) t).getNextException();
            for (int i = 0; next != null && i < 5; i++, next = next.getNextException()) {
                out.append(" next ");
                appendOne(out, next);
            }
        }
        return out.toString();
    }

    private static void appendOne(StringBuilder out, Throwable t) {
        out.append(t.getClass().getName());
        if (t instanceof SQLException) {
            SQLException s = (SQLException) t;
            out.append('[').append(s.getSQLState()).append('/').append(s.getErrorCode()).append(']');
        }
        out.append(' ').append(t.getMessage());
        StackTraceElement[] trace = t.getStackTrace();
        if (trace.length > 0) {
            out.append(" @").append(trace[0].getClassName()).append('.').append(trace[0].getMethodName());
        }
    }
}
