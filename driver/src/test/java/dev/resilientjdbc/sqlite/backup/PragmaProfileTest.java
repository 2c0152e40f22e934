package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.ResilientDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's PRAGMA profile is sqlite-jdbc's own URL parameters: every physical connection resilient-jdbc opens
 * (here each of a pool's) has it, as the raw driver's connection on the same URL does. And an in-memory database has
 * no file to back up: the option says so.
 */
class PragmaProfileTest {
    private static final String PROFILE = "journal_mode=WAL&synchronous=NORMAL&busy_timeout=5000&cache_size=-65536"
            + "&temp_store=MEMORY&foreign_keys=true";
    private static final String[] PRAGMAS = {"journal_mode", "synchronous", "busy_timeout", "cache_size", "temp_store", "foreign_keys"};

    @TempDir
    Path tmp;

    @AfterEach
    void closeTargets() {
        ResilientDriver.targets().close();
    }

    @Test
    void everyPhysicalConnectionHasTheProfileTheRawDriverGives() throws SQLException {
        String raw = "jdbc:sqlite:" + tmp.resolve("profile.db") + "?" + PROFILE;
        List<String> expected;
        try (Connection c = DriverManager.getConnection(raw)) {
            expected = pragmas(c);
        }
        assertEquals(List.of("wal", "1", "5000", "-65536", "2", "1"), expected, "what the raw driver sets");
        String resilient = raw.replace("jdbc:sqlite:", "jdbc:resilient:sqlite:") + "&resilient.pool=true&resilient.pool.minIdle=0";
        try (Connection a = DriverManager.getConnection(resilient); Connection b = DriverManager.getConnection(resilient)) {
            assertEquals(expected, pragmas(a));
            assertEquals(expected, pragmas(b), "the second physical connection of the pool too");
        }
    }

    @Test
    void backupsOfAnInMemoryDatabaseAreRejected() {
        SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:resilient:sqlite::memory:?resilient.sqlite.backup.dir=" + tmp));
        assertEquals("HY024", e.getSQLState());
        assertTrue(e.getMessage().contains("names none (in memory)"), e.getMessage());
    }

    private static List<String> pragmas(Connection c) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (String p : PRAGMAS) {
                try (ResultSet rs = st.executeQuery("PRAGMA " + p)) {
                    rs.next();
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
