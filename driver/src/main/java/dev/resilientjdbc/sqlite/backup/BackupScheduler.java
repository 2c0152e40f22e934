package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.util.OwnedScheduler;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes a verified backup of one file every interval on one named daemon thread. The first one is due an interval
 * after the newest verified backup already in the directory (at once when there is none).
 */
final class BackupScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.sqlite.backup");

    private final Path db;
    private final BackupSettings settings;
    private final OwnedScheduler thread;

    BackupScheduler(Path db, BackupSettings settings) {
        this.db = db;
        this.settings = settings;
        this.thread = new OwnedScheduler("resilient-sqlite-backup " + db.getFileName());
    }

    void start() {
        long first = 0;
        try {
            var newest = new BackupStore(settings.dir(), db).newestVerified();
            if (newest.isPresent()) {
                Instant at = newest.get().manifest().created();
                SqliteBackups.stats(db).sawVerified(at);
                Duration age = Duration.between(at, Instant.now());
                first = Math.max(0, settings.interval().minus(age).toMillis());
            }
        } catch (java.io.IOException e) {
            LOG.log(Level.WARNING, "resilient-jdbc: cannot list the backups in " + settings.dir() + ": " + e);
        }
        thread.everyMillis(this::runOnce, first, settings.interval().toMillis());
    }

    private void runOnce() {
        try (Connection source = SqliteBackups.open(db)) {
            SqliteBackups.backup(source, db, settings, raw -> { });
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "resilient-jdbc: the scheduled backup of " + db + " failed: " + e.getMessage());
        }
    }

    /**
     * Stops the thread and returns once it has ended; a backup under way finishes first (SQLite's copy cannot be
     * interrupted), for at most a minute.
     */
    @Override
    public void close() {
        try {
            if (!thread.stop(Duration.ofMinutes(1))) {
                LOG.warning("resilient-jdbc: the backup of " + db + " still runs a minute after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
