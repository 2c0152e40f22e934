package dev.resilientjdbc.testkit.sqlite;

import dev.resilientjdbc.control.pg.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A private directory for one test's SQLite database files, deleted (with any {@code -wal},
 * {@code -shm} and {@code -journal} companions) when the test ends. Injected by {@link SqliteExtension}.
 */
public final class SqliteFiles implements AutoCloseable {

    private final Path directory;

    SqliteFiles(Path directory) {
        this.directory = directory;
    }

    /** Absolute path of this test's directory. */
    public Path directory() {
        return directory;
    }

    /** Where database {@code name} lives; {@code .db} is appended when the name has no extension. */
    public Path databasePath(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("database name must be a plain file name: " + name);
        }
        return directory.resolve(name.contains(".") ? name : name + ".db");
    }

    /** {@code jdbc:sqlite:<absolute path>} for database {@code name}; the file is created by SQLite on first connect. */
    public String newDatabaseUrl(String name) {
        return "jdbc:sqlite:" + databasePath(name);
    }

    @Override
    public void close() {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            FileTrees.deleteRecursively(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + directory, e);
        }
    }

    @Override
    public String toString() {
        return "SqliteFiles[" + directory + "]";
    }
}
