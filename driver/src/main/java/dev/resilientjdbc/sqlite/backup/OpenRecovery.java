package dev.resilientjdbc.sqlite.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;

/**
 * {@code resilient.sqlite.recover=restore}: before the first connection of this JVM opens the file, reads its schema
 * once; when that fails with SQLITE_CORRUPT or SQLITE_NOTADB, or the file is gone while verified backups exist,
 * the newest verified backup is put in place (the damaged file kept aside).
 */
final class OpenRecovery {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.sqlite.backup");
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;

    private OpenRecovery() {}

    static void recoverIfNeeded(Path db, BackupSettings s) throws SQLException {
        String why = damage(db);
        if (why == null) {
            return;
        }
        try {
            if (new BackupStore(s.dir(), db).newestVerified().isEmpty()) {
                if (Files.exists(db)) {
                    LOG.warning("resilient-jdbc: " + db + " " + why + ", and there is no verified backup in " + s.dir()
                            + " to restore");
                }
                return;
            }
        } catch (java.io.IOException e) {
            throw new SQLException("resilient-jdbc: cannot list the backups in " + s.dir() + ": " + e, "58030", e);
        }
        LOG.warning("resilient-jdbc: " + db + " " + why + "; restoring the newest verified backup");
        SqliteBackups.restoreUnchecked(db, s.dir(), null);
    }

    /** What is wrong with the file, or null when SQLite reads its schema. */
    static String damage(Path db) {
        if (!Files.exists(db)) {
            return "is missing";
        }
        try (Connection c = SqliteBackups.open(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
            rs.next();
            return null;
        } catch (SQLException e) {
            int code = e.getErrorCode() & 0xff;
            if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
                return "cannot be opened (" + e.getMessage() + ")";
            }
            return null; // busy, locked, permissions: not damage, and the application's own open will say so
        }
    }
}
