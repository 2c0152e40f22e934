package dev.resilientjdbc.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQL facts cache: bounded, evicting one entry at a time, and sparing the entries in use. */
class ClockCacheTest {

    @Test
    void staysWithinItsBoundOneEvictionAtATime() {
        ClockCache<String, Integer> c = new ClockCache<>(100);
        for (int i = 0; i < 100; i++) {
            c.put("k" + i, i);
        }
        assertEquals(100, c.size());
        c.put("k100", 100);
        assertEquals(100, c.size(), "one entry goes, not all of them");
        for (int i = 101; i < 1000; i++) {
            c.put("k" + i, i);
            assertEquals(100, c.size());
        }
        assertEquals(999, c.get("k999"));
    }

    @Test
    void entriesReadSinceTheHandPassedSurvive() {
        ClockCache<String, Integer> c = new ClockCache<>(100);
        for (int i = 0; i < 100; i++) {
            c.put("hot" + i % 10 + "/" + i, i);
        }
        // An application with a few hot texts among many that come and go: the hot ones are read between inserts.
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 10; i++) {
                assertEquals(i, c.get("hot" + i + "/" + i), "hot entry " + i + " in round " + round);
            }
            for (int j = 0; j < 20; j++) {
                c.put("cold" + round + "/" + j, j);
            }
        }
        assertEquals(100, c.size());
        assertNull(c.get("cold0/0"), "cold entries went");
    }

    @Test
    void sqlTextKeepsItsHotTextsPastTheBound() {
        String hot = "SELECT v FROM kv WHERE k = ? /* hot */";
        assertTrue(SqlText.isReadOnly(hot));
        for (int i = 0; i < 3 * SqlText.CACHE_MAX; i++) {
            String cold = "SELECT " + i + " /* distinct text */";
            SqlText.isReadOnly(cold);
            if (i % 100 == 0) {
                // A miss would parse again and give the same answer: only asking the cache itself shows a hit.
                assertTrue(SqlText.isCached(hot), "the hot text was evicted after " + i + " distinct texts");
                assertTrue(SqlText.isReadOnly(hot));
            }
        }
        // The cold texts really went past the bound, so the hand turned over the hot entry and spared it.
        assertFalse(SqlText.isCached("SELECT 0 /* distinct text */"), "the first cold text was evicted");
        assertTrue(SqlText.cached() <= SqlText.CACHE_MAX + 2, "bounded: " + SqlText.cached());
        assertTrue(SqlText.cached() >= SqlText.CACHE_MAX - 1, "full, not emptied: " + SqlText.cached());
    }
}
