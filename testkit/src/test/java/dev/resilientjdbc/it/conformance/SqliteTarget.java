package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Target;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SQLite: both runs use the same database file (so {@code getURL()} and file names agree), deleted
 * with its journal files before each run.
 */
final class SqliteTarget implements Target {
    private final Path file;

    SqliteTarget(Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public String rawUrl() {
        return "jdbc:sqlite:" + file;
    }

    @Override
    public void reset() throws Exception {
        for (String suffix : new String[] {"", "-journal", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }
}
