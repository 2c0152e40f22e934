package dev.resilientjdbc.demo;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.sqlite.backup.Backup;
import dev.resilientjdbc.sqlite.backup.SqliteBackups;
import dev.resilientjdbc.target.Target;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * The SQLite file's worst day: the busy writers ran with backups on (resilient.sqlite.backup.*), then the file's header
 * is overwritten, as a bad disk or a half-copied deploy would leave it. The raw driver cannot read it; resilient-jdbc
 * with resilient.sqlite.recover=restore puts the newest verified backup in place and reads the same table.
 * Only ever run on the demo's own temporary file.
 */
final class SqliteDamage {
    private SqliteDamage() {}

    /** The options the busy writers' resilient side runs with, so that backups are taken while they write. */
    static String backupOptions(Path backups) {
        return "&resilient.sqlite.backup.dir=" + backups + "&resilient.sqlite.backup.interval=1s&resilient.sqlite.backup.keep=3";
    }

    /** Damages {@code db}, reads it through both drivers; true when resilient-jdbc read what the last verified backup holds. */
    static boolean run(PrintWriter out, Path db, Path backups) throws Exception {
        // The writers' target owns the scheduler: closing it stops the backups before the file is touched.
        closeTargetsOf(db);
        List<Backup> made = SqliteBackups.list(db, backups);
        long verified = made.stream().filter(Backup::verified).count();
        out.printf("SQLite damaged file: %d backups taken during the busy writers (%d verified and kept, %d failed"
                        + " verification);%n  now the first 100 bytes of %s are overwritten.%n",
                SqliteBackups.stats(db).made(), verified, SqliteBackups.stats(db).failedVerification(), db.getFileName());
        if (verified == 0) {
            out.println("  no verified backup: nothing to restore (the busy writers ran too briefly)");
            return false;
        }
        Backup last = made.stream().filter(Backup::verified).findFirst().orElseThrow();
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.write(new byte[100]);
        }
        String raw = "jdbc:sqlite:" + db;
        try {
            out.printf("  raw driver:     %d rows%n", count(raw));
        } catch (SQLException e) {
            out.printf("  raw driver:     %s%n", e.getMessage());
        }
        String resilient = "jdbc:resilient:sqlite:" + db + "?resilient.sqlite.backup.dir=" + backups
                + "&resilient.sqlite.recover=restore&resilient.sqlite.backup.interval=1h";
        try {
            long rows = count(resilient);
            Duration age = Duration.between(last.manifest().created(), java.time.Instant.now());
            out.printf("  resilient-jdbc: restored %s (taken %d ms before the damage was found), %d rows in demo_rows;"
                    + " the damaged file is kept aside%n", last.name(), age.toMillis(), rows);
            return true;
        } catch (SQLException e) {
            out.printf("  resilient-jdbc: %s%n", e.getMessage());
            return false;
        } finally {
            closeTargetsOf(db);
        }
    }

    private static void closeTargetsOf(Path db) {
        for (Target t : ResilientDriver.targets().targets()) {
            if (t.guard().name().contains(db.toString())) {
                t.close();
            }
        }
    }

    private static long count(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM demo_rows")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
