package dev.resilientjdbc.reconnect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            SqlText.isReadOnly("SELECT " + i + " /* distinct text */");
            if (i % 100 == 0) {
                assertTrue(SqlText.isReadOnly(hot));
            }
        }
        assertTrue(SqlText.cached() <= SqlText.CACHE_MAX + 2, "bounded: " + SqlText.cached());
        assertTrue(SqlText.cached() >= SqlText.CACHE_MAX - 1, "full, not emptied: " + SqlText.cached());
    }
}
