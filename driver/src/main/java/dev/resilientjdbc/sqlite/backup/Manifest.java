package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.config.Check;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Properties;

/**
 * What a verified backup was when it was checked, kept in a small text file beside it: when it was
 * taken, its page count and size, the SHA-256 of the database file (decompressed), and how it was
 * checked. A backup counts only once its manifest exists; the manifest is written last.
 */
public record Manifest(String file, Instant created, long pageCount, int pageSize, String sha256, long storedBytes,
                       boolean compressed, Check check) {

    static final String SUFFIX = ".manifest";

    /** Writes the manifest beside its backup, all at once (a temporary file moved into place). */
    void writeBeside(Path data) throws IOException {
        Properties p = new Properties();
        p.setProperty("file", file);
        p.setProperty("created", created.toString());
        p.setProperty("pageCount", Long.toString(pageCount));
        p.setProperty("pageSize", Integer.toString(pageSize));
        p.setProperty("sha256", sha256);
        p.setProperty("storedBytes", Long.toString(storedBytes));
        p.setProperty("compressed", Boolean.toString(compressed));
        p.setProperty("check", check.name().toLowerCase(java.util.Locale.ROOT));
        Path target = pathFor(data);
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "resilient-jdbc SQLite backup, verified");
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    static Path pathFor(Path data) {
        return data.resolveSibling(data.getFileName() + SUFFIX);
    }

    /** The manifest at {@code path}; an IOException names what is missing or malformed. */
    static Manifest read(Path path) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            return new Manifest(required(p, "file"), Instant.parse(required(p, "created")),
                    Long.parseLong(required(p, "pageCount")), Integer.parseInt(required(p, "pageSize")),
                    required(p, "sha256"), Long.parseLong(required(p, "storedBytes")),
                    Boolean.parseBoolean(required(p, "compressed")),
                    Check.valueOf(required(p, "check").toUpperCase(java.util.Locale.ROOT)));
        } catch (RuntimeException e) {
            throw new IOException("backup manifest " + path + " is malformed: " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }
}
