package dev.resilientjdbc.replay;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * A 64-bit digest of what one call returned to the application. Replay compares digests call by
 * call: equal means the application would have seen the same thing.
 */
final class Observation {
    private Observation() {}

    static long of(Object v) {
        if (v == null) {
            return 0x9E3779B97F4A7C15L;
        }
        long typeSalt = v.getClass().getName().hashCode() * 0x100000001B3L;
        long h;
        if (v instanceof byte[]) {
            h = Arrays.hashCode((byte[]) v) ^ ((long) ((byte[]) v).length << 32);
        } else if (v instanceof int[]) {
            h = Arrays.hashCode((int[]) v);
        } else if (v instanceof long[]) {
            h = Arrays.hashCode((long[]) v);
        } else if (v instanceof Object[]) {
            h = Arrays.deepHashCode((Object[]) v);
        } else if (v instanceof Array) {
            h = arrayDigest((Array) v);
        } else if (v instanceof String) {
            String s = (String) v;
            h = s.hashCode() ^ ((long) s.length() << 32);
        } else {
            // Numbers, dates, timestamps, booleans, BigDecimal and driver value objects have value hash codes.
            h = v.hashCode() ^ ((long) String.valueOf(v).length() << 32);
        }
        return mix(h ^ typeSalt);
    }

    private static long arrayDigest(Array a) {
        try {
            Object content = a.getArray();
            return content instanceof Object[] ? Arrays.deepHashCode((Object[]) content) : String.valueOf(content).hashCode();
        } catch (SQLException e) {
            return String.valueOf(a).hashCode();
        }
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A rough size of an argument, for the log's memory bound. */
    static long sizeOf(Object a) {
        if (a == null) return 8;
        if (a instanceof String) return 40 + 2L * ((String) a).length();
        if (a instanceof byte[]) return 24 + ((byte[]) a).length;
        if (a instanceof Object[]) {
            long n = 24;
            for (Object o : (Object[]) a) {
                n += sizeOf(o);
            }
            return n;
        }
        return 32;
    }
}
