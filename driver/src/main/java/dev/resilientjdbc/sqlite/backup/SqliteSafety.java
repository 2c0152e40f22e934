package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.config.Recover;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One backup scheduler per SQLite file per JVM, shared by the targets that open it: the first target to attach
 * runs the recovery on open (when asked) and starts the scheduler; the last one to close stops it.
 */
public final class SqliteSafety {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.sqlite.backup");
    // Guarded by itself; touched once per target, never per connection.
    private static final Map<Path, Entry> FILES = new HashMap<>();

    private static final class Entry {
        final BackupScheduler scheduler;
        int users;

        Entry(BackupScheduler scheduler) {
            this.scheduler = scheduler;
        }
    }

    private SqliteSafety() {}

    /**
     * Attaches a target to {@code db}: before anything of this JVM opened it, recovers it when the settings say so,
     * and starts its scheduler. Close the handle when the target closes.
     */
    public static AutoCloseable attach(Path db, BackupSettings settings) throws SQLException {
        Path key = db.toAbsolutePath().normalize();
        synchronized (FILES) {
            Entry e = FILES.get(key);
            if (e == null) {
                if (settings.recover() == Recover.RESTORE) {
                    OpenRecovery.recoverIfNeeded(key, settings);
                }
                BackupScheduler scheduler = new BackupScheduler(key, settings);
                e = new Entry(scheduler);
                FILES.put(key, e);
                scheduler.start();
            }
            e.users++;
        }
        return new Handle(key);
    }

    /**
     * {@link #attach}, and the target's backup gauges (into {@code metrics}, null when metrics are off) and health
     * check under {@code target}; closing the handle removes them too.
     */
    public static AutoCloseable attach(Path db, BackupSettings settings, com.codahale.metrics.MetricRegistry metrics,
                                       String target) throws SQLException {
        AutoCloseable scheduler = attach(db, settings);
        BackupHealth health = BackupHealth.bind(metrics, target, db.toAbsolutePath().normalize(), settings.interval());
        return () -> {
            health.close();
            scheduler.close();
        };
    }

    /** Whether a target of this JVM is attached to {@code db} now. */
    static boolean inUse(Path db) {
        synchronized (FILES) {
            return FILES.containsKey(db.toAbsolutePath().normalize());
        }
    }

    private static final class Handle implements AutoCloseable {
        private final Path key;
        private boolean closed;

        Handle(Path key) {
            this.key = key;
        }

        @Override
        public void close() {
            BackupScheduler stop = null;
            synchronized (FILES) {
                if (closed) {
                    return;
                }
                closed = true;
                Entry e = FILES.get(key);
                if (e != null && --e.users == 0) {
                    FILES.remove(key);
                    stop = e.scheduler;
                }
            }
            if (stop != null) {
                stop.close();
                LOG.fine(() -> "resilient-jdbc: stopped the backups of " + key);
            }
        }
    }
}
