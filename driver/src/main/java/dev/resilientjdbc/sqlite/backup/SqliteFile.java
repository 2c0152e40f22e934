package dev.resilientjdbc.sqlite.backup;

import java.nio.file.Path;

/** The database file a {@code jdbc:sqlite:} URL names, as sqlite-jdbc reads it; null for an in-memory database. */
public final class SqliteFile {
    private static final String PREFIX = "jdbc:sqlite:";

    private SqliteFile() {}

    public static Path of(String realUrl) {
        if (realUrl == null || !realUrl.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return null;
        }
        String rest = realUrl.substring(PREFIX.length());
        boolean uri = rest.startsWith("file:");
        if (uri) {
            rest = rest.substring("file:".length());
            if (rest.startsWith("//")) {
                rest = rest.substring(2); // file://host/path: sqlite accepts only an empty host or localhost
                int slash = rest.indexOf('/');
                rest = slash < 0 ? "" : rest.substring(slash);
            }
        }
        int q = rest.indexOf('?');
        if (q >= 0) {
            if (rest.substring(q).contains("mode=memory")) {
                return null;
            }
            rest = rest.substring(0, q);
        }
        if (rest.isEmpty() || rest.equals(":memory:") || rest.startsWith(":resource:")) {
            return null;
        }
        if (uri) {
            rest = java.net.URLDecoder.decode(rest.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        }
        return Path.of(rest).toAbsolutePath().normalize();
    }
}
