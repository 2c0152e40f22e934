package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.config.Check;
import dev.resilientjdbc.config.Recover;

import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The backup options of one SQLite file, resolved: where backups go, how often, how many are kept,
 * whether they are compressed, how they are checked, and whether the first connection recovers.
 */
public record BackupSettings(Path dir, Duration interval, int keep, boolean compress, Check check, Recover recover) {

    /** The settings {@code config} asks for; null when it names no backup directory (backups off). */
    public static BackupSettings from(ResilientConfig config) {
        String dir = config.get(ResilientOptions.SQLITE_BACKUP_DIR);
        if (dir.isEmpty()) {
            return null;
        }
        return new BackupSettings(Path.of(dir), config.get(ResilientOptions.SQLITE_BACKUP_INTERVAL),
                config.get(ResilientOptions.SQLITE_BACKUP_KEEP), config.get(ResilientOptions.SQLITE_BACKUP_COMPRESS),
                config.get(ResilientOptions.SQLITE_BACKUP_VERIFY), config.get(ResilientOptions.SQLITE_RECOVER));
    }

    /** Defaults for the command line and tests: one hour, seven kept, compressed, full integrity check, no recovery. */
    public static BackupSettings in(Path dir) {
        return new BackupSettings(dir, Duration.ofHours(1), 7, true, Check.INTEGRITY_CHECK, Recover.OFF);
    }

    public BackupSettings withKeep(int n) {
        return new BackupSettings(dir, interval, n, compress, check, recover);
    }

    public BackupSettings withCompress(boolean c) {
        return new BackupSettings(dir, interval, keep, c, check, recover);
    }

    public BackupSettings withCheck(Check c) {
        return new BackupSettings(dir, interval, keep, compress, c, recover);
    }

    public BackupSettings withInterval(Duration d) {
        return new BackupSettings(dir, d, keep, compress, check, recover);
    }

    public BackupSettings withRecover(Recover r) {
        return new BackupSettings(dir, interval, keep, compress, check, r);
    }
}
