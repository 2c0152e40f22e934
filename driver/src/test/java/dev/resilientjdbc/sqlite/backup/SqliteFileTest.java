package dev.resilientjdbc.sqlite.backup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The file a jdbc:sqlite: URL names, read as sqlite-jdbc reads it. */
class SqliteFileTest {
    @Test
    void pathsAndUris() {
        assertEquals(Path.of("/var/lib/app.db"), SqliteFile.of("jdbc:sqlite:/var/lib/app.db"));
        assertEquals(Path.of("/var/lib/app.db"), SqliteFile.of("jdbc:sqlite:/var/lib/app.db?journal_mode=WAL&busy_timeout=1"));
        assertEquals(Path.of("/var/lib/my app.db"), SqliteFile.of("jdbc:sqlite:file:/var/lib/my%20app.db?cache=shared"));
        assertEquals(Path.of("/var/lib/app.db"), SqliteFile.of("jdbc:sqlite:file:///var/lib/app.db"));
        assertEquals(Path.of("app.db").toAbsolutePath(), SqliteFile.of("jdbc:sqlite:app.db"));
    }

    @Test
    void noFile() {
        assertNull(SqliteFile.of("jdbc:sqlite:"));
        assertNull(SqliteFile.of("jdbc:sqlite::memory:"));
        assertNull(SqliteFile.of("jdbc:sqlite:file:shared?mode=memory&cache=shared"));
        assertNull(SqliteFile.of("jdbc:sqlite::resource:db/app.db"));
        assertNull(SqliteFile.of("jdbc:postgresql://h/db"));
    }
}
