package dev.resilientjdbc.testkit.sqlite;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SqliteExtension.class)
class SqliteExtensionTest {

    private static final List<Path> USED_DIRECTORIES = new CopyOnWriteArrayList<>();
    private SqliteFiles fromBeforeEach;

    @BeforeEach
    void remember(SqliteFiles files) {
        fromBeforeEach = files;
    }

    @AfterAll
    static void everyTestDirectoryWasDeleted() {
        assertEquals(2, USED_DIRECTORIES.size());
        assertNotEquals(USED_DIRECTORIES.get(0), USED_DIRECTORIES.get(1), "each test gets its own directory");
        for (Path dir : USED_DIRECTORIES) {
            assertFalse(Files.exists(dir), "left behind: " + dir);
        }
    }

    @Test
    void givesAWorkingDatabaseFileUnderTarget(SqliteFiles files) throws SQLException {
        assertSame(fromBeforeEach, files);
        USED_DIRECTORIES.add(files.directory());
        assertTrue(files.directory().isAbsolute());
        assertTrue(files.directory().startsWith(Path.of("target").toAbsolutePath()), files::toString);

        String url = files.newDatabaseUrl("ledger");
        assertEquals("jdbc:sqlite:" + files.directory().resolve("ledger.db"), url);
        try (Connection connection = DriverManager.getConnection(url); Statement st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE t (v int)");
            st.execute("INSERT INTO t VALUES (42)");
        }
        try (Connection connection = DriverManager.getConnection(url); Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT v FROM t")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1));
        }
        assertTrue(Files.exists(files.databasePath("ledger")));
    }

    @Test
    void rejectsNamesThatWouldLeaveTheDirectory(SqliteFiles files) {
        USED_DIRECTORIES.add(files.directory());
        assertThrows(IllegalArgumentException.class, () -> files.newDatabaseUrl("../escape"));
        assertThrows(IllegalArgumentException.class, () -> files.newDatabaseUrl(""));
        assertEquals(files.directory().resolve("keep.sqlite"), files.databasePath("keep.sqlite"));
    }
}
