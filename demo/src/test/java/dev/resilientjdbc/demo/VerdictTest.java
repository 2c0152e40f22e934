package dev.resilientjdbc.demo;


import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The headline claims "landed once" only when every check on the resilient side passed; real runs only show the passing case. */
class VerdictTest {
    private static Report report(String workload, String side, long errors, long lost, long duplicated, boolean consistent) {
        return new Report(workload, side, "test", 100, errors, errors == 0 ? Map.of() : Map.of("40001", errors), lost, duplicated,
                consistent, "", 1000);
    }

    @Test
    void everyCheckPassedSaysLandedOnce() {
        Verdict v = Verdict.of(List.of(report("A", "raw", 598_534, 0, 0, true), report("A", "resilient", 8, 0, 0, true)));
        assertEquals("raw: 598,534 errors reached the application; resilient-jdbc: 8, every acknowledged write landed once", v.headline());
        assertTrue(v.ok());
    }

    @Test
    void aLostOrDuplicatedWriteOrAFailedCheckIsNeverCalledLandedOnce() {
        for (Report bad : List.of(report("B", "resilient", 0, 1, 0, true), report("B", "resilient", 0, 0, 2, true),
                report("B", "resilient", 0, 0, 0, false))) {
            Verdict v = Verdict.of(List.of(report("A", "raw", 5, 0, 0, true), report("A", "resilient", 0, 0, 0, true),
                    report("B", "raw", 7, 3, 0, false), bad));
            assertFalse(v.landedOnce());
            assertTrue(v.headline().startsWith("raw: 12 errors reached the application; resilient-jdbc: 0, NOT every acknowledged write"
                    + " landed once (" + bad.lost + " lost, " + bad.duplicated + " duplicated"), v.headline());
            assertTrue(v.headline().endsWith("data check failed: B)"), v.headline());
        }
    }

    @Test
    void anUnexpectedErrorFailsTheRunButNotTheDataCheck() {
        Report resilient = new Report("A", "resilient", "test", 100, 1, Map.of("08006", 1L), 0, 0, true, "", 1000);
        Verdict v = Verdict.of(List.of(report("A", "raw", 5, 0, 0, true), resilient));
        assertTrue(v.landedOnce());
        assertFalse(v.ok());
        assertEquals(Map.of("A 08006", 1L), v.unexpected());
    }
}
