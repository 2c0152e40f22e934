package dev.resilientjdbc.replay;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Date;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A 64-bit digest of what one call returned to the application. Replay compares digests call by
 * call: equal means the application would have seen the same thing.
 *
 * <p>The digest covers the content, not {@code hashCode()}: every char of a string, every byte of a
 * byte array, all 64 bits of a number, a decimal's scale, a timestamp's nanoseconds, each element of
 * an array, and the value's type. A 32-bit hash folds "Aa" and "BB" (or the longs 2^32+1 and 2^33+2)
 * onto one value, and a replay that read the other one would have committed on an answer the
 * application never saw. The words are mixed with a per-JVM random seed, so no input can be crafted
 * to collide; two different answers agree by chance about once in 2^64 comparisons.
 */
final class Observation {
    private static final long SEED = ThreadLocalRandom.current().nextLong();
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P4 = 0x85EBCA77C2B2AE63L;

    // One tag per kind of value, so that the same bits of different kinds never agree (Integer 1 vs Long 1, "" vs null).
    private static final long NULL = 1, STRING = 2, BYTES = 3, INT = 4, LONG = 5, SHORT = 6, BYTE = 7, BOOLEAN = 8,
            DOUBLE = 9, FLOAT = 10, DECIMAL = 11, BIG_INTEGER = 12, TIMESTAMP = 13, DATE = 14, OBJECTS = 15,
            SQL_ARRAY = 16, OTHER = 17, INTS = 18, LONGS = 19, SHORTS = 20, DOUBLES = 21, FLOATS = 22, BOOLEANS = 23,
            CHARS = 24, UNREADABLE = 25;

    private Observation() {}

    static long of(Object v) {
        return finish(feed(SEED, v));
    }

    private static long feed(long h, Object v) {
        if (v == null) {
            return word(h, NULL);
        }
        if (v instanceof String) {
            return chars(word(h, STRING), (String) v);
        }
        if (v instanceof Integer) {
            return word(word(h, INT), (Integer) v);
        }
        if (v instanceof Long) {
            return word(word(h, LONG), (Long) v);
        }
        if (v instanceof Boolean) {
            return word(word(h, BOOLEAN), (Boolean) v ? 1 : 0);
        }
        if (v instanceof byte[]) {
            return bytes(word(h, BYTES), (byte[]) v);
        }
        if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v; // 1.0 and 1.00 print differently: the scale is part of the answer
            return bytes(word(word(h, DECIMAL), d.scale()), d.unscaledValue().toByteArray());
        }
        if (v instanceof Double) {
            return word(word(h, DOUBLE), Double.doubleToLongBits((Double) v));
        }
        if (v instanceof Float) {
            return word(word(h, FLOAT), Float.floatToIntBits((Float) v));
        }
        if (v instanceof Short) {
            return word(word(h, SHORT), (Short) v);
        }
        if (v instanceof Byte) {
            return word(word(h, BYTE), (Byte) v);
        }
        if (v instanceof BigInteger) {
            return bytes(word(h, BIG_INTEGER), ((BigInteger) v).toByteArray());
        }
        if (v instanceof Timestamp) {
            Timestamp t = (Timestamp) v;
            return word(word(word(h, TIMESTAMP), t.getTime()), t.getNanos());
        }
        if (v instanceof Date) {
            // java.sql.Date and Time too: their class tells them apart, getTime() holds the whole value.
            return word(chars(word(h, DATE), v.getClass().getName()), ((Date) v).getTime());
        }
        if (v instanceof Array) {
            try {
                return feed(word(h, SQL_ARRAY), ((Array) v).getArray());
            } catch (SQLException e) {
                return chars(word(h, UNREADABLE), e.getSQLState());
            }
        }
        if (v instanceof Object[]) {
            Object[] a = (Object[]) v;
            h = word(word(h, OBJECTS), a.length);
            for (Object o : a) {
                h = feed(h, o);
            }
            return h;
        }
        if (v.getClass().isArray()) {
            return primitives(h, v);
        }
        // UUID, java.time values, PGobject, maps (hstore), intervals, ...: their text is what the application can see
        // of them; the type and the value's own hash code go in as well.
        h = chars(word(h, OTHER), v.getClass().getName());
        return chars(word(h, v.hashCode()), String.valueOf(v));
    }

    private static long primitives(long h, Object v) {
        if (v instanceof int[]) {
            int[] a = (int[]) v;
            h = word(word(h, INTS), a.length);
            for (int x : a) h = word(h, x);
        } else if (v instanceof long[]) {
            long[] a = (long[]) v;
            h = word(word(h, LONGS), a.length);
            for (long x : a) h = word(h, x);
        } else if (v instanceof short[]) {
            short[] a = (short[]) v;
            h = word(word(h, SHORTS), a.length);
            for (short x : a) h = word(h, x);
        } else if (v instanceof double[]) {
            double[] a = (double[]) v;
            h = word(word(h, DOUBLES), a.length);
            for (double x : a) h = word(h, Double.doubleToLongBits(x));
        } else if (v instanceof float[]) {
            float[] a = (float[]) v;
            h = word(word(h, FLOATS), a.length);
            for (float x : a) h = word(h, Float.floatToIntBits(x));
        } else if (v instanceof boolean[]) {
            boolean[] a = (boolean[]) v;
            h = word(word(h, BOOLEANS), a.length);
            for (boolean x : a) h = word(h, x ? 1 : 0);
        } else {
            h = chars(word(h, CHARS), new String((char[]) v));
        }
        return h;
    }

    /** The length, then four chars a word: "Aa" and "BB", or "a" and "a\0", never share a stream of words. */
    private static long chars(long h, String s) {
        int n = s.length();
        h = word(h, n);
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            h = word(h, s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32 | (long) s.charAt(i + 3) << 48);
        }
        long last = 0;
        for (int shift = 0; i < n; i++, shift += 16) {
            last |= (long) s.charAt(i) << shift;
        }
        return word(h, last);
    }

    /** The length, then eight bytes a word. */
    private static long bytes(long h, byte[] b) {
        int n = b.length;
        h = word(h, n);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long w = 0;
            for (int k = 7; k >= 0; k--) {
                w = w << 8 | (b[i + k] & 0xFF);
            }
            h = word(h, w);
        }
        long last = 0;
        for (int shift = 0; i < n; i++, shift += 8) {
            last |= (long) (b[i] & 0xFF) << shift;
        }
        return word(h, last);
    }

    // xxHash64's round and merge step over a running state: every bit of every word reaches the whole state.
    private static long word(long h, long w) {
        long k = Long.rotateLeft(w * P2, 31) * P1;
        return Long.rotateLeft(h ^ k, 27) * P1 + P4;
    }

    private static long finish(long h) {
        return mix(h);
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
