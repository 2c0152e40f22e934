package dev.resilientjdbc.it.retry;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.classify.FailureClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQLITE_LOCKED caused by the application's own connection (a table dropped while a result set on it is
 * still being read) is deterministic: it fails at once with the raw driver's result code instead of being
 * retried for seconds. Only a lock another connection holds (SQLITE_BUSY, SQLITE_LOCKED_SHAREDCACHE) is
 * worth waiting for.
 */
class SqliteSameConnectionLockTest {
    @TempDir
    Path dir;

    private static SQLException dropWhileReading(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             Statement reader = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t(n INTEGER)");
            s.execute("DELETE FROM t");
            s.execute("INSERT INTO t VALUES (1), (2), (3)");
            try (ResultSet rs = reader.executeQuery("SELECT n FROM t")) {
                assertTrue(rs.next());
                return assertThrows(SQLException.class, () -> s.execute("DROP TABLE t"));
            }
        }
    }

    @Test
    void aLockOfTheSameConnectionFailsAtOnceAsOnTheRawDriver() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("locked.db");
        SQLException raw = dropWhileReading(url);
        assertTrue(raw.getMessage().startsWith("[SQLITE_LOCKED]"), "the raw driver's answer: " + raw);
        String resilient = url.replace("jdbc:", "jdbc:resilient:");
        DriverManager.getConnection(resilient).close(); // the target's one-off set-up is not what is timed
        long t0 = System.nanoTime();
        SQLException ours = dropWhileReading(resilient);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(raw.getErrorCode(), ours.getErrorCode(), ours.toString());
        assertEquals(raw.getClass(), ours.getClass());
        long retries = ResilientDriver.targets().matching("locked.db").stream()
                .mapToLong(g -> java.util.Arrays.stream(FailureClass.values()).mapToLong(c -> g.stats().retries(c)).sum()).sum();
        assertEquals(0, retries, "not retried");
        assertTrue(millis < 1000, "failed at once, not after retries: " + millis + " ms");
    }
}
