package dev.resilientjdbc.proxy;

import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The result-set calls every row makes — next(), wasNull() and the common typed getters by column index
 * or label — made directly on the real result set instead of through {@link Method#invoke}: no reflective
 * accessor (a megamorphic call per getter), and the proxy's call can inline down to the driver's getter,
 * where the JIT may drop the boxed answer. The proxy's argument array stays: the reflective path of the
 * other methods, compiled into the same code, hands it to Method.invoke (bench/RESULTS.md, issue 14).
 */
final class ResultSetReads {
    static final int NONE = 0;
    private static final int NEXT = 1;
    private static final int WAS_NULL = 2;
    // By column index; the same getter by label is the code + LABEL.
    private static final int STRING = 3;
    private static final int INT = 4;
    private static final int LONG = 5;
    private static final int DOUBLE = 6;
    private static final int BOOLEAN = 7;
    private static final int BIG_DECIMAL = 8;
    private static final int TIMESTAMP = 9;
    private static final int LABEL = 16;

    private ResultSetReads() {}

    /** The code of {@code m}, or {@link #NONE} when it is not one of these reads of java.sql.ResultSet. */
    static int of(Method m) {
        if (m.getDeclaringClass() != ResultSet.class) {
            return NONE;
        }
        Class<?>[] p = m.getParameterTypes();
        if (p.length == 0) {
            return m.getName().equals("next") ? NEXT : m.getName().equals("wasNull") ? WAS_NULL : NONE;
        }
        if (p.length != 1 || (p[0] != int.class && p[0] != String.class)) {
            return NONE;
        }
        int code;
        switch (m.getName()) {
            case "getString": code = STRING; break;
            case "getInt": code = INT; break;
            case "getLong": code = LONG; break;
            case "getDouble": code = DOUBLE; break;
            case "getBoolean": code = BOOLEAN; break;
            case "getBigDecimal": code = BIG_DECIMAL; break;
            case "getTimestamp": code = TIMESTAMP; break;
            default: return NONE;
        }
        return p[0] == int.class ? code : code + LABEL;
    }

    /** Makes read {@code code} on {@code rs}; what the driver throws comes out as it is. */
    static Object read(int code, ResultSet rs, Object[] args) throws SQLException {
        // Kept under the JIT's size limit for inlining a hot method (325 bytes): labels go on in a method of their own.
        if (code >= LABEL) {
            return byLabel(code - LABEL, rs, (String) args[0]);
        }
        switch (code) {
            case NEXT: return rs.next();
            case WAS_NULL: return rs.wasNull();
            case STRING: return rs.getString((Integer) args[0]);
            case INT: return rs.getInt((Integer) args[0]);
            case LONG: return rs.getLong((Integer) args[0]);
            case DOUBLE: return rs.getDouble((Integer) args[0]);
            case BOOLEAN: return rs.getBoolean((Integer) args[0]);
            case BIG_DECIMAL: return rs.getBigDecimal((Integer) args[0]);
            case TIMESTAMP: return rs.getTimestamp((Integer) args[0]);
            default: throw new IllegalArgumentException("no read " + code);
        }
    }

    private static Object byLabel(int code, ResultSet rs, String label) throws SQLException {
        switch (code) {
            case STRING: return rs.getString(label);
            case INT: return rs.getInt(label);
            case LONG: return rs.getLong(label);
            case DOUBLE: return rs.getDouble(label);
            case BOOLEAN: return rs.getBoolean(label);
            case BIG_DECIMAL: return rs.getBigDecimal(label);
            case TIMESTAMP: return rs.getTimestamp(label);
            default: throw new IllegalArgumentException("no read " + code);
        }
    }
}
