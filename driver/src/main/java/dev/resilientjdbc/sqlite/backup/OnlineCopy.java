package dev.resilientjdbc.sqlite.backup;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Copies a live database with SQLite's online backup API as sqlite-jdbc exposes it
 * ({@code DB.backup(schema, file, observer, sleepMs, busyRetries, pagesPerStep)}), never by copying the file.
 * Found by reflection on the connection's own class loader: the driver jar does not depend on sqlite-jdbc
 * (the application brings it).
 *
 * <p>In WAL mode the copy runs inside one read transaction of its own connection: every step reads the same
 * snapshot, so writers on other connections never wait for it and never make it start over (SQLite restarts a
 * backup whose source another connection changed between steps when each step opens its own read). In a rollback
 * journal mode a read transaction would hold off every commit for the whole copy, so there each step of
 * {@link #PAGES_PER_STEP} pages takes its own shared lock and writers commit between steps; SQLite then restarts a copy
 * whose source changed, so on a file written without pause WAL is the mode to use (see the PRAGMA profile in docs/SQLITE.md).
 */
final class OnlineCopy {
    static final int PAGES_PER_STEP = 256;
    // A step refused tries again 1 ms later, for 5 s: the file is free only between two writers' commits.
    private static final int BUSY_SLEEP_MS = 1;
    private static final int BUSY_RETRIES = 5000;

    /**
     * In a rollback-journal mode, writers that commit back to back hold the file locked (PENDING, then EXCLUSIVE)
     * nearly all the time, and a reader gets in only between two of them, which a reader that tries every
     * millisecond sees. A copy refused for its whole busy wait starts over, for up to a minute, rather than fail a
     * backup that a pause of the writers lets run.
     */
    private static final RetryPolicy<Object> STARVED = RetryPolicy.builder()
            .handleIf(OnlineCopy::busy)
            .withDelay(Duration.ofMillis(1))
            .withMaxRetries(-1)
            .withMaxDuration(Duration.ofSeconds(60))
            .build();

    private OnlineCopy() {}

    /**
     * Copies the {@code main} database of {@code source} (a raw sqlite-jdbc connection of our own) into {@code dest};
     * starts over while the file stays locked ({@link #STARVED}).
     */
    static void copy(Connection source, Path dest) throws SQLException {
        try {
            Failsafe.with(STARVED).run(() -> copyOnce(source, dest));
        } catch (FailsafeException e) {
            if (e.getCause() instanceof SQLException se) {
                throw se;
            }
            throw e;
        }
    }

    private static boolean busy(Throwable e) {
        int code = e instanceof SQLException se ? se.getErrorCode() & 0xff : -1;
        return code == 5 || code == 6; // SQLITE_BUSY, SQLITE_LOCKED
    }

    private static void copyOnce(Connection source, Path dest) throws SQLException {
        boolean wal;
        try (Statement st = source.createStatement()) {
            // SQLite's own busy handler waits longer and longer between tries (up to 100 ms): a reader that waits
            // so is the last to notice the file free. Busy here fails at once, and STARVED tries again 1 ms later.
            st.execute("PRAGMA busy_timeout=0");
        }
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            wal = rs.next() && "wal".equalsIgnoreCase(rs.getString(1));
        }
        if (wal) {
            source.setAutoCommit(false);
            try {
                // Opens the read transaction every step then reads from.
                try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
                    rs.next();
                }
                run(source, dest);
            } finally {
                source.rollback();
                source.setAutoCommit(true);
            }
        } else {
            run(source, dest);
        }
    }

    private static void run(Connection source, Path dest) throws SQLException {
        Object db = database(source);
        Method backup = backupMethod(db);
        int rc;
        try {
            // No progress observer: a Java exception thrown back into sqlite-jdbc's native copy loop is not safe.
            rc = (Integer) backup.invoke(db, "main", dest.toString(), null, BUSY_SLEEP_MS, BUSY_RETRIES, PAGES_PER_STEP);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException se) {
                throw se;
            }
            throw new SQLException("resilient-jdbc: the online backup failed: " + cause, "58000", cause);
        } catch (IllegalAccessException e) {
            throw new SQLException("resilient-jdbc: sqlite-jdbc's backup API is not accessible: " + e, "0A000", e);
        }
        if (rc != 0) {
            throw new SQLException("resilient-jdbc: the online backup to " + dest + " failed with SQLite result code " + rc,
                    "58000", rc);
        }
    }

    private static Object database(Connection source) throws SQLException {
        try {
            Class<?> type = Class.forName("org.sqlite.SQLiteConnection", false, source.getClass().getClassLoader());
            Object conn = source.unwrap(type);
            return type.getMethod("getDatabase").invoke(conn);
        } catch (ReflectiveOperationException e) {
            throw new SQLException("resilient-jdbc: SQLite backups need sqlite-jdbc (org.sqlite.SQLiteConnection) on the"
                    + " class path; it was not usable: " + e, "0A000", e);
        }
    }

    private static Method backupMethod(Object db) throws SQLException {
        for (Method m : db.getClass().getMethods()) {
            Class<?>[] p = m.getParameterTypes();
            if (m.getName().equals("backup") && p.length == 6 && p[0] == String.class && p[1] == String.class
                    && p[3] == int.class && p[4] == int.class && p[5] == int.class) {
                return m;
            }
        }
        throw new SQLException("resilient-jdbc: this sqlite-jdbc has no stepwise backup API"
                + " (DB.backup(String, String, ProgressObserver, int, int, int), sqlite-jdbc 3.41 or later)", "0A000");
    }
}
