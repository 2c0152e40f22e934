package dev.resilientjdbc.config;

/** How a backup is checked before it counts: SQLite's full {@code integrity_check}, or the faster {@code quick_check}. */
public enum Check {
    INTEGRITY_CHECK, QUICK_CHECK
}
