package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.config.Check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The check a stored backup passes before it counts, and again before it is restored or when asked:
 * it is expanded to a temporary file beside it (decompressed when compressed), its SHA-256 taken on the way, and
 * SQLite's integrity or quick check run on that copy; page count and size are read from it.
 */
public record Verification(boolean ok, String detail, long pageCount, int pageSize, String sha256) {

    static Verification of(Path stored, boolean compressed, Check check) throws IOException {
        Path copy = Files.createTempFile(stored.toAbsolutePath().getParent(), ".verify-", ".db");
        try {
            String sha = Codec.expand(stored, compressed, copy);
            return checkDatabase(copy, check, sha);
        } catch (IOException e) {
            // A damaged gzip stream is a failed verification, not an I/O failure of ours.
            if (e instanceof java.util.zip.ZipException || e instanceof java.io.EOFException) {
                return new Verification(false, "the compressed backup cannot be read: " + e.getMessage(), 0, 0, "");
            }
            throw e;
        } finally {
            deleteWithJournal(copy);
        }
    }

    /** The PRAGMA that runs {@code check}. */
    static String pragma(Check check) {
        return check == Check.INTEGRITY_CHECK ? "PRAGMA integrity_check" : "PRAGMA quick_check";
    }

    static Verification checkDatabase(Path db, Check check, String sha) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            List<String> problems = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(pragma(check))) {
                while (rs.next() && problems.size() < 20) {
                    problems.add(rs.getString(1));
                }
            }
            if (!problems.equals(List.of("ok"))) {
                return new Verification(false, pragma(check) + " reported: " + String.join("; ", problems), 0, 0, sha);
            }
            long pages = single(st, "PRAGMA page_count");
            int pageSize = (int) single(st, "PRAGMA page_size");
            return new Verification(true, "ok", pages, pageSize, sha);
        } catch (SQLException e) {
            return new Verification(false, "SQLite could not read it: " + e.getMessage(), 0, 0, sha);
        }
    }

    /** Whether this check also matches what the manifest recorded at backup time. */
    Verification against(Manifest m) {
        if (!ok) {
            return this;
        }
        if (!sha256.equals(m.sha256()) || pageCount != m.pageCount() || pageSize != m.pageSize()) {
            return new Verification(false, "it differs from its manifest (SHA-256 " + sha256 + " vs " + m.sha256()
                    + ", pages " + pageCount + " vs " + m.pageCount() + ")", pageCount, pageSize, sha256);
        }
        return this;
    }

    private static long single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void deleteWithJournal(Path db) throws IOException {
        Files.deleteIfExists(db);
        for (String suffix : new String[] {"-journal", "-wal", "-shm"}) {
            Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
        }
    }
}
