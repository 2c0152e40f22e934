package dev.resilientjdbc.retry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, point 6: one thread holds an open write transaction on an SQLite file through one connection
 * and writes through a second connection. Nothing the second one waits for can end while its own thread
 * waits: the raw driver answers SQLITE_BUSY after the connection's busy_timeout (here 100 ms), and so
 * must we — same exception class, same result code — instead of waiting 30 s in the per-file gate or
 * retrying the busy answer.
 */
class SqliteSameThreadWritersTest {
    @TempDir
    Path dir;

    private SQLException secondWriterInTheSameThread(String url, boolean secondInTransaction) throws SQLException {
        try (Connection first = DriverManager.getConnection(url); Connection second = DriverManager.getConnection(url);
             Statement s1 = first.createStatement(); Statement s2 = second.createStatement()) {
            s1.execute("CREATE TABLE IF NOT EXISTS t(n INTEGER)");
            first.setAutoCommit(false);
            s1.executeUpdate("INSERT INTO t VALUES (1)");
            second.setAutoCommit(!secondInTransaction);
            SQLException e = assertThrows(SQLException.class, () -> s2.executeUpdate("INSERT INTO t VALUES (2)"));
            if (secondInTransaction) {
                second.rollback();
            }
            first.rollback();
            return e;
        }
    }

    private void sameAsRaw(boolean secondInTransaction) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("same-thread-" + secondInTransaction + ".db") + "?busy_timeout=100";
        SQLException raw = secondWriterInTheSameThread(url, secondInTransaction);
        assertTrue(raw.getMessage().startsWith("[SQLITE_BUSY]"), "the raw driver's answer: " + raw);
        long t0 = System.nanoTime();
        SQLException ours = secondWriterInTheSameThread(url.replace("jdbc:", "jdbc:resilient:"), secondInTransaction);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(raw.getClass(), ours.getClass(), ours.toString());
        assertEquals(raw.getErrorCode(), ours.getErrorCode(), ours.toString());
        assertTrue(millis < 1_500, "within the connection's busy_timeout, not the 30 s gate wait or retries: " + millis + " ms");
    }

    @Test
    void anAutocommitWriteBehindThisThreadsOwnTransactionIsBusyAsOnTheRawDriver() throws Exception {
        sameAsRaw(false);
    }

    @Test
    void aTransactionBehindThisThreadsOwnTransactionIsBusyAsOnTheRawDriver() throws Exception {
        sameAsRaw(true);
    }
}
