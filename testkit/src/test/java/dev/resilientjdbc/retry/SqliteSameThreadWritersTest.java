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

    /**
     * Another thread's transaction holds the file longer than the wait allows: the gate's answer is the
     * raw driver's type and result code for a busy file (SQLiteException, SQLITE_BUSY), not a plain
     * SQLException.
     */
    @Test
    void aGateThatTimesOutAnswersWithTheRawDriversBusyException() throws Exception {
        String file = "jdbc:sqlite:" + dir.resolve("gate-timeout.db") + "?busy_timeout=100";
        String url = file.replace("jdbc:", "jdbc:resilient:") + "&resilient.retry.maxDuration=300ms&resilient.retry.maxAttempts=2";
        SQLException raw;
        try (Connection holder = DriverManager.getConnection(file); Connection other = DriverManager.getConnection(file);
             Statement s1 = holder.createStatement(); Statement s2 = other.createStatement()) {
            s1.execute("CREATE TABLE IF NOT EXISTS t(n INTEGER)");
            holder.setAutoCommit(false);
            s1.executeUpdate("INSERT INTO t VALUES (1)");
            other.setAutoCommit(false);
            raw = assertThrows(SQLException.class, () -> s2.executeUpdate("INSERT INTO t VALUES (2)"));
            other.rollback();
            holder.rollback();
        }
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
                holder.setAutoCommit(false);
                s.executeUpdate("INSERT INTO t VALUES (1)");
                holding.countDown();
                done.await();
                holder.rollback();
            } catch (Exception e) {
                holding.countDown();
            }
        }, "sqlite-holder");
        t.setDaemon(true);
        t.start();
        try {
            holding.await();
            try (Connection other = DriverManager.getConnection(url); Statement s = other.createStatement()) {
                other.setAutoCommit(false);
                SQLException ours = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t VALUES (2)"));
                assertEquals(raw.getClass(), ours.getClass(), ours.toString());
                assertEquals(raw.getErrorCode(), ours.getErrorCode(), ours.toString());
                other.rollback();
            }
        } finally {
            done.countDown();
            t.join(10_000);
        }
    }
}
