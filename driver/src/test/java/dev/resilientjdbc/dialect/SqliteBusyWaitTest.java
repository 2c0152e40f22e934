package dev.resilientjdbc.dialect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.BusyHandler;
import org.sqlite.SQLiteConnection;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 27: when an SQLite application has said how it waits for a busy file. */
class SqliteBusyWaitTest {
    @TempDir
    Path dir;

    @Test
    void aPositiveBusyTimeoutInTheUrlOrPropertiesIsTheApplicationsWait() {
        assertTrue(SqliteBusyWait.declaredIn("jdbc:sqlite:/tmp/a.db?busy_timeout=10", null));
        assertTrue(SqliteBusyWait.declaredIn("jdbc:sqlite:/tmp/a.db?journal_mode=WAL&BUSY_TIMEOUT=5000", new Properties()));
        Properties p = new Properties();
        p.setProperty("busy_timeout", "250"); // what SQLiteConfig.toProperties() hands the driver
        assertTrue(SqliteBusyWait.declaredIn("jdbc:sqlite:/tmp/a.db", p));
        assertFalse(SqliteBusyWait.declaredIn("jdbc:sqlite:/tmp/a.db?busy_timeout=0", null), "0 is SQLite's own: no waiting");
        assertFalse(SqliteBusyWait.declaredIn("jdbc:sqlite:/tmp/a.db", new Properties()), "nothing set");
        assertFalse(SqliteBusyWait.declaredIn("jdbc:sqlite:/tmp/a.db?busy_timeout=soon", null), "not a number: nothing set");
    }

    @Test
    void pragmaBusyTimeoutIsFollowedAndAHandlerOfItsOwnCounts() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"))) {
            SqliteBusyWait w = new SqliteBusyWait(false);
            assertFalse(w.applies(c));
            w.ran("  PRAGMA busy_timeout = 10");
            assertTrue(w.applies(c));
            w.ran("pragma main.busy_timeout=0");
            assertFalse(w.applies(c));
            w.ran("select 'pragma busy_timeout = 5'");
            assertFalse(w.applies(c), "only the PRAGMA itself");
            BusyHandler.setHandler(c.unwrap(SQLiteConnection.class), new BusyHandler() {
                @Override
                protected int callback(int nbPrevInvok) {
                    return 0;
                }
            });
            assertTrue(w.applies(c), "its own BusyHandler");
            BusyHandler.clearHandler(c.unwrap(SQLiteConnection.class));
            assertFalse(w.applies(c), "cleared again");
        }
    }
}
