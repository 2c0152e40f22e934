package dev.resilientjdbc;

import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * resilient.indoubt.evidence=false turns off what the in-doubt options configure: set together with one of them, the
 * connect fails naming both (before any connection is tried), rather than one of them being dropped without a word.
 */
class EvidenceOptionTest {
    // Port 1: nothing listens; the options are refused before a connect is tried.
    private static final String URL = "jdbc:resilient:postgresql://127.0.0.1:1/app?resilient.connect.maxDuration=1s"
            + "&resilient.indoubt.evidence=false";

    @Test
    void exactlyOnceWritesNeedEvidence() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(URL + "&resilient.autocommit.exactlyOnce=true"));
        assertEquals("HY024", e.getSQLState(), e::toString);
        assertTrue(e.getMessage().contains("resilient.indoubt.evidence=false (from the URL query)"), e.getMessage());
        assertTrue(e.getMessage().contains("resilient.autocommit.exactlyOnce=true (from the URL query)"), e.getMessage());
    }

    @Test
    void theMarkerOptionsNeedEvidenceWhenSetByTheUser() {
        for (String option : new String[]{"resilient.indoubt.marker=true", "resilient.indoubt.markerTable=m",
                "resilient.indoubt.fenceWait=10s"}) {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(URL + "&" + option));
            assertEquals("HY024", e.getSQLState(), e::toString);
            String key = option.substring(0, option.indexOf('='));
            assertTrue(e.getMessage().contains(key + " (from the URL query)"), e.getMessage());
        }
    }

    @Test
    void aloneItIsAcceptedAndTheConnectGoesOn() {
        // Nothing listens on port 1: the error is the connect's (08001), not the options'.
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(URL));
        assertEquals("08001", e.getSQLState(), e::toString);
    }
}
