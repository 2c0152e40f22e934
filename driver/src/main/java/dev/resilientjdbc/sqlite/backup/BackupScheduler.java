package dev.resilientjdbc.sqlite.backup;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
    private final ScheduledThreadPoolExecutor executor;
    // The executor's one thread, joined on close: awaitTermination returns while it is still on its way out.
    private final java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    BackupScheduler(Path db, BackupSettings settings) {
        this.db = db;
        this.settings = settings;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "resilient-sqlite-backup " + db.getFileName());
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
        executor.scheduleWithFixedDelay(this::runOnce, first, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
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
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warning("resilient-jdbc: the backup of " + db + " still runs a minute after close");
                return;
            }
            for (Thread t : threads) {
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
