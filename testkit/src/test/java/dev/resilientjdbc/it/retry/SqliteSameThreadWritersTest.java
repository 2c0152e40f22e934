package dev.resilientjdbc.it.retry;

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
     * The same thread's transaction holds the file exclusively; a second connection of the thread then reads
     * its metadata and runs a query. Both are reads the file refuses (SQLITE_BUSY after busy_timeout); both must
     * get the raw driver's answer at once: one rule ("may this call run again?") for statements and metadata.
     */
    private static long[] busyReadsBehindOwnTransaction(String url, SQLException[] seen) throws SQLException {
        try (Connection first = DriverManager.getConnection(url); Connection second = DriverManager.getConnection(url);
             Statement s1 = first.createStatement(); Statement s2 = second.createStatement()) {
            s1.execute("CREATE TABLE IF NOT EXISTS t(n INTEGER)");
            // The first commit in this mode takes the file exclusively and keeps it: readers are refused from then on.
            s1.execute("PRAGMA locking_mode=EXCLUSIVE");
            s1.executeUpdate("INSERT INTO t VALUES (0)");
            first.setAutoCommit(false);
            s1.executeUpdate("INSERT INTO t VALUES (1)");
            long t0 = System.nanoTime();
            seen[0] = assertThrows(SQLException.class, () -> second.getMetaData().getTables(null, null, "t", null).close());
            long metaMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            t0 = System.nanoTime();
            seen[1] = assertThrows(SQLException.class, () -> s2.executeQuery("SELECT count(*) FROM t").close());
            long queryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            first.rollback();
            return new long[]{metaMillis, queryMillis};
        }
    }

    @Test
    void metadataBehindThisThreadsOwnTransactionIsBusyLikeAStatement() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("same-thread-metadata.db") + "?busy_timeout=100";
        SQLException[] raw = new SQLException[2];
        busyReadsBehindOwnTransaction(url, raw);
        for (SQLException e : raw) {
            assertTrue(e.getMessage().startsWith("[SQLITE_BUSY]"), "the raw driver's answer (the fault is real): " + e);
        }
        SQLException[] ours = new SQLException[2];
        long[] millis = busyReadsBehindOwnTransaction(url.replace("jdbc:", "jdbc:resilient:") + "&resilient.retry.maxAttempts=30", ours);
        String[] what = {"metadata", "query"};
        for (int i = 0; i < 2; i++) {
            assertEquals(raw[i].getClass(), ours[i].getClass(), what[i] + ": " + ours[i]);
            assertEquals(raw[i].getErrorCode(), ours[i].getErrorCode(), what[i] + ": " + ours[i]);
            assertTrue(millis[i] < 1_500, what[i] + " answered within the busy_timeout, not after retries: " + millis[i] + " ms");
        }
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
