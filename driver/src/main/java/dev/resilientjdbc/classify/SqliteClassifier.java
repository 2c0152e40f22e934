package dev.resilientjdbc.classify;

import java.sql.SQLException;

/**
 * SQLite by result code: sqlite-jdbc reports SQLState null, the primary result code as the vendor
 * code, and the extended code's name as a {@code [SQLITE_...]} tag at the start of the message —
 * read from there so that sqlite-jdbc stays an optional, run-time-only dependency.
 */
public final class SqliteClassifier implements FailureClassifier {
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_BUSY_SNAPSHOT = 517;
    static final int SQLITE_LOCKED_SHAREDCACHE = 262;
    private final GenericClassifier generic = new GenericClassifier();

    @Override
    public FailureClass classify(SQLException e) {
        if (e == null) {
            return FailureClass.FATAL;
        }
        String tag = tag(e.getMessage());
        if (tag != null) {
            if (tag.equals("SQLITE_BUSY_SNAPSHOT")) {
                // The reader's snapshot is stale: only a new transaction can go on.
                return FailureClass.TRANSACTION;
            }
            // SQLITE_LOCKED itself is a conflict within the same connection (a table dropped under an open
            // result set): deterministic. Only another connection's lock is worth waiting for.
            if (tag.startsWith("SQLITE_BUSY") || tag.equals("SQLITE_LOCKED_SHAREDCACHE")) {
                return FailureClass.BUSY;
            }
            // Constraint, syntax, misuse, I/O, read-only file, corruption: nothing a retry fixes.
            return FailureClass.FATAL;
        }
        if (e.getSQLState() == null) {
            int code = e.getErrorCode();
            if (code == SQLITE_BUSY_SNAPSHOT) {
                return FailureClass.TRANSACTION;
            }
            if ((code & 0xff) == SQLITE_BUSY || code == SQLITE_LOCKED_SHAREDCACHE) {
                return FailureClass.BUSY;
            }
            if ((code & 0xff) == SQLITE_LOCKED) {
                return FailureClass.FATAL;
            }
        }
        return generic.classify(e);
    }

    /** {@code SQLITE_BUSY} from {@code "[SQLITE_BUSY] The database file is locked (...)"}, or null. */
    static String tag(String message) {
        if (message == null || !message.startsWith("[SQLITE_")) {
            return null;
        }
        int end = message.indexOf(']');
        return end < 0 ? null : message.substring(1, end);
    }
}
