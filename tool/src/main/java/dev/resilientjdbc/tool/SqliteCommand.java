package dev.resilientjdbc.tool;

import dev.resilientjdbc.sqlite.backup.Backup;
import dev.resilientjdbc.sqlite.backup.BackupSettings;
import dev.resilientjdbc.config.Check;
import dev.resilientjdbc.sqlite.backup.SqliteBackups;
import dev.resilientjdbc.sqlite.backup.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sqlite backup|list|restore|verify}: verified backups of an SQLite file, as the driver takes them. */
@Command(name = "sqlite", mixinStandardHelpOptions = true,
        description = {"Verified backups of an SQLite database file, the same the driver takes with"
                + " resilient.sqlite.backup.dir: SQLite's online backup API (safe while applications write),"
                + " checked with PRAGMA integrity_check before it counts, stored gzip-compressed with a manifest"
                + " (time, page count, SHA-256) beside it.",
                "Exit status: 0 done, 1 failed (the message says why), 2 bad usage."},
        subcommands = {SqliteCommand.BackupNow.class, SqliteCommand.ListBackups.class, SqliteCommand.Restore.class,
                SqliteCommand.VerifyOne.class})
final class SqliteCommand {

    /** The options every subcommand takes: the database file and the backup directory. */
    static final class Where {
        @Option(names = "--db", required = true, paramLabel = "PATH", description = "the SQLite database file")
        Path db;

        @Option(names = "--dir", paramLabel = "DIR",
                description = "the backup directory (resilient.sqlite.backup.dir); default: backups/ beside the database")
        Path dir;

        Path dir() {
            return dir != null ? dir : db.toAbsolutePath().resolveSibling("backups");
        }
    }

    /** How a backup is checked, for the commands that check one. */
    static final class HowChecked {
        @Option(names = "--check", defaultValue = "integrity_check",
                description = "integrity_check or quick_check (default ${DEFAULT-VALUE})")
        Check check;
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Take a verified backup now (for example in a deploy script, before migrations), then keep"
                    + " the newest --keep verified ones.")
    static final class BackupNow implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Option(names = "--keep", defaultValue = "7", description = "verified backups to keep (default ${DEFAULT-VALUE})")
        int keep;

        @Option(names = "--no-compress", description = "store the backup uncompressed")
        boolean noCompress;

        @Mixin HowChecked how;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (keep < 1) {
                spec.commandLine().getErr().println("--keep must be at least 1, not " + keep);
                return 2;
            }
            BackupSettings s = BackupSettings.in(where.dir()).withKeep(keep).withCompress(!noCompress).withCheck(how.check);
            return fails(spec, () -> {
                Backup b = SqliteBackups.backup(where.db, s);
                out.printf("verified backup %s (%d pages of %d bytes, %d bytes stored, sha256 %s)%n", b.file(),
                        b.manifest().pageCount(), b.manifest().pageSize(), b.bytes(), b.manifest().sha256());
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the backups of the database, newest first, with their time, size and verification state.")
    static final class ListBackups implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return fails(spec, () -> {
                List<Backup> all = SqliteBackups.list(where.db, where.dir());
                if (all.isEmpty()) {
                    out.println("no backups of " + where.db.getFileName() + " in " + where.dir());
                }
                for (Backup b : all) {
                    out.printf("%-50s %-27s %12d bytes  %s%n", b.name(),
                            b.verified() ? b.manifest().created().toString() : "-", b.bytes(),
                            b.verified() ? "verified (" + b.manifest().check().name().toLowerCase(java.util.Locale.ROOT) + ")"
                                    : "NOT verified");
                }
            });
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Put the newest verified backup (or --from) in place of the database. Run it while no"
                    + " application has the database open: it refuses while another connection holds a lock on it.",
                    "The file it replaces (with its -wal, -shm, -journal) is kept as <db>.damaged-<time>, never overwritten."})
    static final class Restore implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Option(names = "--from", paramLabel = "BACKUP", description = "the backup to restore (a name from `list`); default: the newest verified")
        String from;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return fails(spec, () -> {
                SqliteBackups.Restored r = SqliteBackups.restore(where.db, where.dir(), from);
                out.printf("restored %s from %s taken %s%n", where.db, r.from().name(), r.from().manifest().created());
                out.println(r.keptAside() != null ? "the file it replaced is kept as " + r.keptAside()
                        : "there was no file to replace");
            });
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a backup again: SQLite's check on its decompressed copy, and its SHA-256 and page count"
                    + " against its manifest.")
    static final class VerifyOne implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Option(names = "--backup", paramLabel = "BACKUP", description = "the backup to check (a name from `list`); default: the newest")
        String name;

        @Mixin HowChecked how;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            int[] status = {0};
            int failed = fails(spec, () -> {
                List<Backup> all = SqliteBackups.list(where.db, where.dir());
                Backup b = all.stream().filter(x -> name == null || x.name().equals(Path.of(name).getFileName().toString()))
                        .findFirst().orElseThrow(() -> new SQLException(name == null ? "no backups of " + where.db.getFileName()
                                + " in " + where.dir() : "no backup named " + name + " in " + where.dir()));
                Verification v = SqliteBackups.verify(b, how.check);
                out.printf("%s: %s%s%n", b.name(), v.ok() ? "ok" : "FAILED: " + v.detail(),
                        b.verified() ? "" : " (it has no manifest: it never counted as verified)");
                status[0] = v.ok() && b.verified() ? 0 : 1;
            });
            return failed != 0 ? failed : status[0];
        }
    }

    interface Work {
        void run() throws Exception;
    }

    /** Runs {@code w}; a failure is one line on stderr and exit status 1, no stack trace. */
    static int fails(CommandSpec spec, Work w) {
        try {
            w.run();
            return 0;
        } catch (Exception e) {
            spec.commandLine().getErr().println(e.getMessage() != null ? e.getMessage() : e.toString());
            return 1;
        }
    }
}
