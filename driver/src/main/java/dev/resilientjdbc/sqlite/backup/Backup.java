package dev.resilientjdbc.sqlite.backup;

import java.nio.file.Path;

/** One backup file in a backup directory, with its manifest when it was verified (null when it was not). */
public record Backup(Path file, Manifest manifest, long bytes) {
    public boolean verified() {
        return manifest != null;
    }

    public String name() {
        return file.getFileName().toString();
    }
}
