package dev.resilientjdbc.sqlite.backup;

/** How a backup is checked before it counts: SQLite's full {@code integrity_check}, or the faster {@code quick_check}. */
public enum Check {
    INTEGRITY_CHECK, QUICK_CHECK;

    String pragma() {
        return this == INTEGRITY_CHECK ? "PRAGMA integrity_check" : "PRAGMA quick_check";
    }
}
