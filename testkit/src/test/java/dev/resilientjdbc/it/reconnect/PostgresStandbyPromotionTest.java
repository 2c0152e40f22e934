package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The other side of {@link PostgresReadOnlySessionTest}: a write refused (25006) because the server
 * itself is read-only — a real hot standby (a cluster started with standby.signal) — is recovered inside a
 * transaction: the transaction waits, and commits once the standby is promoted, as in a failover. The raw
 * driver fails at once.
 */
class PostgresStandbyPromotionTest {
    private static PgServer pg;

    @BeforeAll
    static void standby() throws Exception {
        pg = PgServer.builder().start();
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sb(id int PRIMARY KEY, v int)");
            s.execute("INSERT INTO sb VALUES (1, 0)");
        }
        pg.stopFast();
        Files.createFile(pg.dataDir().resolve("standby.signal")); // no primary to follow: it stays in recovery, readable
        pg.start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    private static String url() {
        return pg.jdbcUrl() + "?user=postgres&connectTimeout=5";
    }

    private static boolean inRecovery() throws SQLException {
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    @Test
    void aWriteRefusedByAStandbySucceedsOnceItIsPromoted() throws Exception {
        assertTrue(inRecovery(), "the server is a standby");
        try (Connection raw = DriverManager.getConnection(url()); Statement s = raw.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE sb SET v = v + 1 WHERE id = 1"));
            assertEquals("25006", e.getSQLState(), "the raw driver's answer on a standby");
        }
        long reconnects = ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum();
        try (Connection c = DriverManager.getConnection(url().replace("jdbc:", "jdbc:resilient:")
                + "&resilient.retry.maxDuration=20s"); Statement s = c.createStatement()) {
            c.setAutoCommit(false); // in a transaction: an autocommit write refused by a standby is not retried (docs/RECOVERY.md)
            CompletableFuture<Integer> write = CompletableFuture.supplyAsync(() -> {
                try {
                    int n = s.executeUpdate("UPDATE sb SET v = v + 1 WHERE id = 1");
                    c.commit();
                    return n;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Promote only once the driver has met the refusal and started over on a new connection.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum() == reconnects) {
                assertTrue(System.nanoTime() < deadline, "no reconnect after the standby refused the write");
                assertTrue(!write.isDone(), () -> "the write ended before any reconnect: " + write.join());
                Thread.sleep(5);
            }
            try (Connection admin = pg.connect(); Statement a = admin.createStatement()) {
                a.execute("SELECT pg_promote(true, 30)");
            }
            assertEquals(1, write.get(20, TimeUnit.SECONDS), "the write ran once, on the promoted server");
        }
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM sb WHERE id = 1")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "applied exactly once");
        }
    }
}
