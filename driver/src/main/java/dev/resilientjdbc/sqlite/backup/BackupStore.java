package dev.resilientjdbc.sqlite.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The backups of one database file in one directory: named {@code <file>-<UTC time>.db[.gz]} so that
 * names sort by age, each with a {@code .manifest} once verified. Files being written start with a dot.
 */
final class BackupStore {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.sqlite.backup");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final String base;

    BackupStore(Path dir, Path db) {
        this.dir = dir;
        this.base = db.getFileName().toString();
    }

    Path dir() {
        return dir;
    }

    static String stamp(Instant at) {
        return STAMP.format(at);
    }

    /** A fresh name for a backup taken at {@code at}. */
    String nameFor(Instant at, boolean compressed) {
        return base + "-" + STAMP.format(at) + (compressed ? ".db.gz" : ".db");
    }

    /** Every backup of this file, newest first; a manifest that cannot be read leaves its backup unverified. */
    List<Backup> list() throws IOException {
        List<Backup> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, base + "-*")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (!(n.endsWith(".db") || n.endsWith(".db.gz"))) {
                    continue;
                }
                Manifest m = null;
                Path mp = Manifest.pathFor(f);
                if (Files.exists(mp)) {
                    try {
                        m = Manifest.read(mp);
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, "resilient-jdbc: " + e.getMessage() + "; its backup is not counted as verified");
                    }
                }
                all.add(new Backup(f, m, Files.size(f)));
            }
        }
        all.sort(Comparator.comparing(Backup::name).reversed());
        return all;
    }

    Optional<Backup> newestVerified() throws IOException {
        return list().stream().filter(Backup::verified).findFirst();
    }

    /** The backup named {@code name} (a file name in the directory, or a path). */
    Optional<Backup> find(String name) throws IOException {
        String n = Path.of(name).getFileName().toString();
        return list().stream().filter(b -> b.name().equals(n)).findFirst();
    }

    /**
     * Keeps the newest {@code keep} verified backups (at least one) and deletes the older ones; a backup with no
     * manifest older than the newest verified one (a crash between writing it and verifying it) goes too.
     */
    List<Backup> retain(int keep) throws IOException {
        List<Backup> deleted = new ArrayList<>();
        int verified = 0;
        boolean seenVerified = false;
        for (Backup b : list()) {
            boolean drop;
            if (b.verified()) {
                verified++;
                drop = verified > Math.max(1, keep);
                seenVerified = true;
            } else {
                drop = seenVerified;
            }
            if (drop) {
                // The manifest first: a half-deleted backup must never look verified.
                Files.deleteIfExists(Manifest.pathFor(b.file()));
                Files.deleteIfExists(b.file());
                deleted.add(b);
            }
        }
        deleteLeftovers();
        return deleted;
    }

    /**
     * Temporary files a crash left behind (a copy, a compressed part, a verification copy) once a day has passed:
     * none of them is ever restored, and each can be as large as the database. A younger one may be another
     * process's backup under way (the command while the scheduler runs).
     */
    private void deleteLeftovers() throws IOException {
        java.nio.file.attribute.FileTime dayAgo = java.nio.file.attribute.FileTime.from(Instant.now().minus(java.time.Duration.ofDays(1)));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "{." + base + "-*,.verify-*}")) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).compareTo(dayAgo) < 0) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
