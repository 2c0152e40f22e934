package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.config.Check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Verified online backups of an SQLite file, and their restore: the API behind the scheduler, the recovery on
 * open and the {@code resilient-sqlite} command. A backup counts only once it was verified and its manifest written;
 * one that fails verification is deleted and reported.
 */
public final class SqliteBackups {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.sqlite.backup");
    private static final Map<Path, BackupStats> STATS = new ConcurrentHashMap<>();

    /** Called on the raw copy before it is stored and verified; tests damage it here. */
    @FunctionalInterface
    interface CopyHook {
        void copied(Path rawCopy) throws IOException;
    }

    /** What a restore did: the backup it put in place, and where the file it replaced went (null when there was none). */
    public record Restored(Backup from, Path keptAside) {}

    private SqliteBackups() {}

    /** This JVM's backup counters for {@code db}. */
    public static BackupStats stats(Path db) {
        return STATS.computeIfAbsent(db.toAbsolutePath().normalize(), p -> new BackupStats());
    }

    /** Takes a verified backup of {@code db} now through a connection of its own, and applies retention. */
    public static Backup backup(Path db, BackupSettings settings) throws SQLException {
        if (!Files.isRegularFile(db)) {
            throw new SQLException("resilient-jdbc: no SQLite database at " + db + " to back up", "58030");
        }
        try (Connection source = open(db)) {
            return backup(source, db, settings, raw -> { });
        }
    }

    static Backup backup(Connection source, Path db, BackupSettings s, CopyHook hook) throws SQLException {
        // One backup of a file at a time in this JVM (the scheduler, the API): names are made from the time.
        synchronized (stats(db)) {
            return backupAlone(source, db, s, hook);
        }
    }

    private static Backup backupAlone(Connection source, Path db, BackupSettings s, CopyHook hook) throws SQLException {
        BackupStats stats = stats(db);
        BackupStore store = new BackupStore(s.dir(), db);
        Instant at = Instant.now();
        String name = store.nameFor(at, s.compress());
        Path raw = s.dir().resolve("." + name + ".copy");
        Path stored = s.dir().resolve("." + name + ".part");
        try {
            Files.createDirectories(s.dir());
            OnlineCopy.copy(source, raw);
            standAlone(raw);
            hook.copied(raw);
            if (s.compress()) {
                Codec.compress(raw, stored);
            } else {
                Files.move(raw, stored);
            }
            Verification v = Verification.of(stored, s.compress(), s.check());
            if (!v.ok()) {
                Files.deleteIfExists(stored);
                stats.failedVerification.incrementAndGet();
                Optional<Backup> latest = store.newestVerified();
                String msg = "resilient-jdbc: the backup " + name + " of " + db + " failed verification (" + v.detail()
                        + "); it was deleted, the latest verified backup is still "
                        + latest.map(Backup::name).orElse("none");
                LOG.warning(msg);
                throw new SQLException(msg, "XX001");
            }
            Path file = s.dir().resolve(name);
            Files.move(stored, file); // a rename in one directory, and never over a backup of the same millisecond
            Manifest m = new Manifest(name, at, v.pageCount(), v.pageSize(), v.sha256(), Files.size(file), s.compress(), s.check());
            m.writeBeside(file);
            stats.made.incrementAndGet();
            stats.sawVerified(at);
            for (Backup gone : store.retain(s.keep())) {
                LOG.fine(() -> "resilient-jdbc: retention deleted the backup " + gone.name());
            }
            return new Backup(file, m, m.storedBytes());
        } catch (IOException e) {
            stats.failed.incrementAndGet();
            throw new SQLException("resilient-jdbc: the backup of " + db + " into " + s.dir() + " failed: " + e, "58030", e);
        } catch (SQLException e) {
            if (!"XX001".equals(e.getSQLState())) {
                stats.failed.incrementAndGet();
            }
            throw e;
        } finally {
            quietlyDelete(raw);
            quietlyDelete(stored);
        }
    }

    /** The backups of {@code db} in {@code dir}, newest first, verified or not. */
    public static List<Backup> list(Path db, Path dir) throws IOException {
        return new BackupStore(dir, db).list();
    }

    /** Checks a stored backup again: SQLite's check on its decompressed copy, and its checksum against its manifest. */
    public static Verification verify(Backup b, Check check) throws IOException {
        boolean compressed = b.manifest() != null ? b.manifest().compressed() : b.name().endsWith(".gz");
        Verification v = Verification.of(b.file(), compressed, check);
        return b.manifest() != null ? v.against(b.manifest()) : v;
    }

    /**
     * Puts the newest verified backup of {@code db} (or the one named {@code from}) in its place. Refuses while a
     * connection of this JVM's resilient-jdbc is open on it, or another connection holds a lock on it. The file it
     * replaces, with its -wal, -shm and -journal files, is moved aside, never overwritten.
     */
    public static Restored restore(Path db, Path dir, String from) throws SQLException {
        if (SqliteSafety.inUse(db)) {
            throw new SQLException("resilient-jdbc: " + db + " is open through resilient-jdbc in this JVM; close its"
                    + " connections (and pool) before restoring", "55006");
        }
        refuseWhenLocked(db);
        return restoreUnchecked(db, dir, from);
    }

    static Restored restoreUnchecked(Path db, Path dir, String from) throws SQLException {
        BackupStore store = new BackupStore(dir, db);
        try {
            List<Backup> candidates;
            if (from != null) {
                Backup named = store.find(from).orElseThrow(() -> new SQLException("resilient-jdbc: no backup named " + from
                        + " of " + db.getFileName() + " in " + dir, "58030"));
                if (!named.verified()) {
                    throw new SQLException("resilient-jdbc: the backup " + named.name() + " was never verified (no manifest);"
                            + " only verified backups are restored", "XX001");
                }
                candidates = List.of(named);
            } else {
                candidates = store.list().stream().filter(Backup::verified).toList();
                if (candidates.isEmpty()) {
                    throw new SQLException("resilient-jdbc: no verified backup of " + db.getFileName() + " in " + dir, "58030");
                }
            }
            for (Backup b : candidates) {
                Path incoming = db.resolveSibling("." + db.getFileName() + ".restoring");
                try {
                    String sha = Codec.expand(b.file(), b.manifest().compressed(), incoming);
                    if (!sha.equals(b.manifest().sha256())) {
                        LOG.warning("resilient-jdbc: the backup " + b.name() + " no longer matches its manifest's checksum;"
                                + " not restored");
                        continue;
                    }
                    Path aside = keepAside(db);
                    Files.move(incoming, db); // a file that appeared there meanwhile is not overwritten either
                    stats(db).restored.incrementAndGet();
                    LOG.warning("resilient-jdbc: restored " + db + " from the backup " + b.name() + " taken "
                            + b.manifest().created() + "; whatever was written after that is not in it"
                            + (aside != null ? "; the replaced file was kept as " + aside : ""));
                    return new Restored(b, aside);
                } catch (java.util.zip.ZipException | java.io.EOFException damaged) {
                    LOG.warning("resilient-jdbc: the backup " + b.name() + " cannot be read (" + damaged.getMessage() + "); not restored");
                } finally {
                    quietlyDelete(incoming);
                }
            }
            throw new SQLException("resilient-jdbc: no backup of " + db.getFileName() + " in " + dir
                    + " matched its manifest; nothing was restored", "XX001");
        } catch (IOException e) {
            throw new SQLException("resilient-jdbc: restoring " + db + " from " + dir + " failed: " + e, "58030", e);
        }
    }

    /** Moves the file and its companions to {@code <file>.damaged-<time>}; null when there was no file. */
    private static Path keepAside(Path db) throws IOException {
        String stamp = BackupStore.stamp(Instant.now());
        Path aside = null;
        if (Files.exists(db)) {
            aside = db.resolveSibling(db.getFileName() + ".damaged-" + stamp);
            Files.move(db, aside); // no REPLACE_EXISTING: an existing file there is never overwritten
        }
        for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
            Path companion = db.resolveSibling(db.getFileName() + suffix);
            if (Files.exists(companion)) {
                // A -wal of the damaged file applied to the restored one would damage it in turn.
                Files.move(companion, db.resolveSibling(db.getFileName() + ".damaged-" + stamp + suffix));
            }
        }
        return aside;
    }

    private static void refuseWhenLocked(Path db) throws SQLException {
        if (!Files.exists(db)) {
            return;
        }
        try (Connection c = open(db); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=0");
            st.execute("BEGIN EXCLUSIVE");
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            int code = e.getErrorCode() & 0xff;
            if (code == 5 || code == 6) { // SQLITE_BUSY, SQLITE_LOCKED
                throw new SQLException("resilient-jdbc: " + db + " is in use by another connection (" + e.getMessage()
                        + "); stop what uses it before restoring", "55006", e);
            }
            // A damaged file fails differently; that is what a restore is for.
        }
    }

    /** Makes the raw copy stand alone: rollback-journal mode, so that it needs no -wal beside it. */
    private static void standAlone(Path raw) throws SQLException {
        try (Connection c = open(raw); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=DELETE");
        }
    }

    static Connection open(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    private static void quietlyDelete(Path p) {
        try {
            Verification.deleteWithJournal(p);
        } catch (IOException e) {
            LOG.log(Level.FINE, "resilient-jdbc: could not delete " + p, e);
        }
    }
}
