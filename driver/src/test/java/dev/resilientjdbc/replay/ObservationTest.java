package dev.resilientjdbc.replay;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The replay digest covers what the application saw, not a 32-bit hash code of it. */
class ObservationTest {

    @Test
    void valuesWhoseHashCodesCollideHaveDifferentDigests() {
        assertEquals("Aa".hashCode(), "BB".hashCode());
        assertNotEquals(Observation.of("Aa"), Observation.of("BB"));
        assertEquals(Long.valueOf(4294967297L).hashCode(), Long.valueOf(8589934594L).hashCode());
        assertNotEquals(Observation.of(4294967297L), Observation.of(8589934594L));
        assertNotEquals(Observation.of(new byte[] {0, 31}), Observation.of(new byte[] {1, 0}));
        assertNotEquals(Observation.of(new Object[] {"Aa"}), Observation.of(new Object[] {"BB"}));
        assertNotEquals(Observation.of(new long[] {4294967297L}), Observation.of(new long[] {8589934594L}));
    }

    @Test
    void everyPartOfAValueCounts() {
        assertNotEquals(Observation.of(new BigDecimal("1.0")), Observation.of(new BigDecimal("1.00")), "scale");
        Timestamp a = Timestamp.valueOf("2026-12-05 10:00:00.000000001");
        Timestamp b = Timestamp.valueOf("2026-12-05 10:00:00.000000002");
        assertNotEquals(Observation.of(a), Observation.of(b), "nanoseconds");
        assertNotEquals(Observation.of("a"), Observation.of("a\0"), "a trailing NUL char");
        assertNotEquals(Observation.of(""), Observation.of((Object) null), "empty is not null");
        assertNotEquals(Observation.of(1), Observation.of(1L), "the type");
        assertNotEquals(Observation.of(new byte[8]), Observation.of(new byte[9]), "the length");
        assertNotEquals(Observation.of(new java.sql.Date(0)), Observation.of(new java.sql.Time(0)), "the date type");
    }

    @Test
    void equalContentGivesEqualDigests() {
        assertEquals(Observation.of("résumé ✓"), Observation.of(new String("résumé ✓".toCharArray())));
        assertEquals(Observation.of(new BigDecimal("12.50")), Observation.of(new BigDecimal("12.50")));
        assertEquals(Observation.of(new BigInteger("123456789012345678901234567890")),
                Observation.of(new BigInteger("123456789012345678901234567890")));
        UUID u = UUID.randomUUID();
        assertEquals(Observation.of(u), Observation.of(UUID.fromString(u.toString())));
        assertEquals(Observation.of(LocalDate.of(2026, 12, 5)), Observation.of(LocalDate.parse("2026-12-05")));
        assertEquals(Observation.of(new int[] {1, 2, 3}), Observation.of(new int[] {1, 2, 3}));
        assertEquals(Observation.of(new Object[] {null, "x", 2}), Observation.of(new Object[] {null, "x", 2}));
    }

    @Test
    void manyShortStringsAndNumbersNeverCollide() {
        // All strings of up to 3 chars from a small alphabet, and a range of longs around 2^32 multiples.
        Set<Long> seen = new HashSet<>();
        List<Character> alphabet = List.of('A', 'B', 'a', 'b', '0', '\0', 'é');
        int n = 0;
        for (char x : alphabet) {
            for (char y : alphabet) {
                for (char z : alphabet) {
                    n += 3;
                    seen.add(Observation.of("" + x));
                    seen.add(Observation.of("" + x + y));
                    seen.add(Observation.of("" + x + y + z));
                }
            }
        }
        int strings = new HashSet<>(seen).size();
        for (long k = 0; k < 5000; k++) {
            seen.add(Observation.of(k << 32 | k));
        }
        assertEquals(7 + 49 + 343, strings, "every distinct string has its own digest");
        assertEquals(strings + 5000, seen.size(), "every long has its own digest");
    }
}
