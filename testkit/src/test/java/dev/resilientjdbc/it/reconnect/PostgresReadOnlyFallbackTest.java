package dev.resilientjdbc.it.reconnect;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.SharedMetricRegistries;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.health.TargetHealth;
import dev.resilientjdbc.target.Target;
import dev.resilientjdbc.control.pg.PgServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * resilient.readOnlyFallback (issue 24, point 4) on two real PostgreSQL servers named in one multi-host URL with
 * {@code targetServerType=primary}: a primary, and a hot standby (a copy of the same rows held in recovery by
 * standby.signal, no primary to follow; to the driver it is what a streaming replica is: in_hot_standby=on,
 * transaction_read_only=on). The primary is stopped, not failed over: no leader exists. Read-only connections and
 * autocommit queries keep their answers from the standby (the raw driver fails the same calls), health and metrics
 * say so and name it, a write waits out the connect budget and fails with one 08001 that names the situation, and
 * once a primary is back (restarted, or the standby promoted) writes go to it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresReadOnlyFallbackTest {
    private static final long BUDGET_MS = 3000;
    private static PgServer primary;
    private static PgServer standby;

    @BeforeAll
    static void pair() throws Exception {
        primary = PgServer.builder().start();
        standby = PgServer.builder().start();
        for (PgServer pg : new PgServer[]{primary, standby}) {
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE rf(id int PRIMARY KEY, v text)");
                s.execute("INSERT INTO rf VALUES (1, 'one'), (2, 'two')");
            }
        }
        standby.stopFast();
        Files.createFile(standby.dataDir().resolve("standby.signal")); // no primary to follow: stays in recovery, readable
        standby.start();
        assertTrue(inRecovery(standby.connect()), "the second server is a standby");
    }

    @AfterAll
    static void stop() {
        if (primary != null) {
            primary.close();
        }
        if (standby != null) {
            standby.close();
        }
    }

    @AfterEach
    void primaryBack() {
        if (primary != null) {
            primary.ensureRunning();
        }
    }

    private static String hosts() {
        return primary.host() + ":" + primary.port() + "," + standby.host() + ":" + standby.port();
    }

    /** The URL the raw driver gets: both members, writes only to a primary. */
    private static String rawUrl() {
        return "jdbc:postgresql://" + hosts() + "/" + primary.database() + "?user=postgres&targetServerType=primary&connectTimeout=2";
    }

    private static String resilientUrl(boolean fallback) {
        return rawUrl().replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=" + BUDGET_MS + "ms"
                + (fallback ? "&resilient.readOnlyFallback=true" : "");
    }

    private static boolean inRecovery(Connection c) throws SQLException {
        try (c; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            assertTrue(rs.next());
            return rs.getBoolean(1);
        }
    }

    /** Whether the server answering on {@code c} is a standby; the connection stays open. */
    private static boolean servedByStandby(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            assertTrue(rs.next());
            return rs.getBoolean(1);
        }
    }

    private static String value(Connection c, int id) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM rf WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static Target target() {
        return ResilientDriver.targets().targets().stream()
                .filter(t -> t.guard().fallback() != null && t.guard().fallback().hosts().contains(primary.host() + ":" + primary.port()))
                .findFirst().orElseThrow(() -> new AssertionError("no target with resilient.readOnlyFallback for " + hosts()));
    }

    private static Number gauge(String suffix) {
        Gauge<?> g = SharedMetricRegistries.getOrCreate("resilient-jdbc").getGauges().get("resilient." + target().name() + "." + suffix);
        assertNotNull(g, "gauge resilient.<target>." + suffix);
        return (Number) g.getValue();
    }

    private static HealthCheck.Result health() {
        return TargetHealth.registry().runHealthCheck("resilient." + target().name() + ".primary");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        dev.resilientjdbc.testkit.Await.until(java.time.Duration.ofSeconds(20), condition, what);
    }

    @Test
    @Order(1)
    void readsAreServedByTheStandbyWhileNoPrimaryExistsAndWritesFailClearly() throws Exception {
        try (Connection ro = DriverManager.getConnection(resilientUrl(true));
             Connection ac = DriverManager.getConnection(resilientUrl(true));
             Connection tx = DriverManager.getConnection(resilientUrl(true));
             Connection raw = DriverManager.getConnection(rawUrl())) {
            ro.setReadOnly(true);
            assertFalse(servedByStandby(ro), "healthy: the read-only connection is on the primary");
            assertFalse(servedByStandby(ac));
            assertFalse(servedByStandby(tx));
            assertEquals(0, gauge("readOnlyFallback.active").intValue());
            assertEquals("healthy", health().getDetails().get("level"));

            primary.stopFast(); // no promotion: no leader at all

            // The fault hit: the raw driver, on its open connection and on a new one, fails the same reads.
            int rawErrors = 0;
            int resilientErrors = 0;
            int rounds = 20;
            SQLException rawOpen = assertThrows(SQLException.class, () -> value(raw, 1));
            SQLException rawNew = assertThrows(SQLException.class, () -> DriverManager.getConnection(rawUrl()).close());
            assertEquals("08001", rawNew.getSQLState(), "raw: no server with targetServerType=primary: " + rawNew.getMessage());
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                try (Connection fresh = DriverManager.getConnection(rawUrl())) {
                    value(fresh, 1);
                } catch (SQLException e) {
                    rawErrors++;
                }
                try {
                    assertEquals("one", value(ro, 1));
                    assertEquals("two", value(ac, 2)); // an autocommit query on a connection that is not read-only
                } catch (SQLException e) {
                    resilientErrors++;
                }
            }
            long readsMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("readOnlyFallback: %d rounds of reads with no primary: raw pgjdbc (targetServerType=primary) %d errors"
                    + " (open connection: %s, new: %s); resilient %d errors, %d ms for all%n", rounds, rawErrors,
                    rawOpen.getSQLState(), rawNew.getSQLState(), resilientErrors, readsMs);
            assertEquals(rounds, rawErrors, "the raw driver fails every read");
            assertEquals(0, resilientErrors, "every resilient read is answered");
            assertTrue(servedByStandby(ro), "the answers come from the standby");
            assertTrue(servedByStandby(ac));

            // Health and metrics show the degraded state and which member serves.
            String member = standby.host() + ":" + standby.port();
            assertEquals(1, gauge("readOnlyFallback.active").intValue());
            assertEquals(2, gauge("readOnlyFallback.member").intValue(), "the second host of the URL serves");
            HealthCheck.Result h = health();
            assertEquals("degraded", h.getDetails().get("level"), h.getMessage());
            assertEquals(member, h.getDetails().get("servingMember"));
            assertTrue(h.getMessage().contains("reads served by replica " + member), h.getMessage());
            io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            dev.resilientjdbc.metrics.micrometer.ResilientMicrometer.bindTo(meters);
            try {
                assertEquals(1.0, meters.get("resilient.readOnlyFallback.active").tag("target", target().name()).gauge().value());
                assertEquals(2.0, meters.get("resilient.readOnlyFallback.member").tag("target", target().name()).gauge().value());
            } finally {
                dev.resilientjdbc.metrics.micrometer.ResilientMicrometer.bindTo(null);
            }

            // A write waits within the connect budget, then fails with one clear error.
            long w0 = System.nanoTime();
            SQLException write = assertThrows(SQLException.class, () -> {
                try (Statement s = ac.createStatement()) {
                    s.executeUpdate("UPDATE rf SET v = 'written' WHERE id = 1");
                }
            });
            long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - w0);
            System.out.printf("readOnlyFallback: a write with no primary failed after %d ms (budget %d ms): %s %s%n", writeMs, BUDGET_MS,
                    write.getSQLState(), write.getMessage());
            assertEquals("08001", write.getSQLState());
            assertTrue(write instanceof java.sql.SQLTransientConnectionException, write.getClass().getName());
            assertTrue(write.getMessage().contains("no primary reachable among " + hosts()), write.getMessage());
            assertTrue(write.getMessage().contains("serves reads from replica " + member + " (resilient.readOnlyFallback)"), write.getMessage());
            assertTrue(writeMs >= BUDGET_MS - 200 && writeMs < BUDGET_MS + 4000, "waited the budget, not more: " + writeMs + " ms");
            assertEquals(1, gauge("readOnlyFallback.refusedWrites").intValue());

            // A transaction of a connection that is not read-only needs the primary, even when it starts with a read.
            tx.setAutoCommit(false);
            SQLException txRead = assertThrows(SQLException.class, () -> value(tx, 1));
            assertEquals("08001", txRead.getSQLState());
            assertTrue(txRead.getMessage().contains("no primary reachable"), txRead.getMessage());
            tx.rollback();
            tx.setAutoCommit(true);

            // The connection whose write failed still serves reads; a read-only transaction runs on the standby.
            assertEquals("two", value(ac, 2));
            ro.setAutoCommit(false);
            assertEquals("one", value(ro, 1));
            assertTrue(servedByStandby(ro));
            primary.start(); // a primary is back while the read-only transaction is open
            assertTrue(servedByStandby(ro), "a transaction that began on the standby stays there, never moved mid-way");
            ro.commit();
            ro.setAutoCommit(true);

            // The next write goes to the primary, at once.
            try (Statement s = ac.createStatement()) {
                assertEquals(1, s.executeUpdate("UPDATE rf SET v = 'written' WHERE id = 1"));
            }
            assertFalse(servedByStandby(ac), "the write moved the connection to the primary");
            try (Connection c = primary.connect()) {
                assertEquals("written", value(c, 1), "written on the primary");
            }
            try (Connection c = standby.connect()) {
                assertEquals("one", value(c, 1), "never on the standby");
            }
            // The transaction connection starts on the primary too; the read-only one moves back within about a second.
            tx.setAutoCommit(false);
            assertEquals("written", value(tx, 1));
            assertFalse(servedByStandby(tx));
            tx.commit();
            tx.setAutoCommit(true);
            await("the read-only connection back on the primary", () -> {
                try {
                    return !servedByStandby(ro);
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(0, gauge("readOnlyFallback.active").intValue());
            assertEquals(0, gauge("readOnlyFallback.member").intValue());
            assertEquals("healthy", health().getDetails().get("level"));
            try (Statement s = ac.createStatement()) {
                s.executeUpdate("UPDATE rf SET v = 'one' WHERE id = 1");
            }
        }
    }

    @Test
    @Order(2)
    void aConnectionOpenedWhileNoPrimaryExistsServesReadsAndItsFirstWriteWaitsForThePrimary() throws Exception {
        primary.stopFast();
        try (Connection c = DriverManager.getConnection(resilientUrl(true))) {
            assertTrue(servedByStandby(c), "opened on the standby: the raw driver could not connect at all");
            assertEquals("one", value(c, 1));
            primary.start();
            try (Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("UPDATE rf SET v = 'one' WHERE id = 1"));
            }
            assertFalse(servedByStandby(c));
        }
    }

    @Test
    @Order(3)
    void theHealthCheckSeesThePrimaryBackWithNoConnectionOpen() throws Exception {
        primary.stopFast();
        try (Connection c = DriverManager.getConnection(resilientUrl(true))) {
            assertTrue(servedByStandby(c));
        }
        assertEquals("degraded", health().getDetails().get("level"));
        primary.start();
        await("the health check to see the primary back", () -> "healthy".equals(health().getDetails().get("level")));
        assertEquals(0, gauge("readOnlyFallback.active").intValue());
    }

    @Test
    @Order(4)
    void withTheOptionOffNothingChanges() throws Exception {
        try (Connection ro = DriverManager.getConnection(resilientUrl(false));
             Connection w = DriverManager.getConnection(resilientUrl(false))) {
            ro.setReadOnly(true);
            assertFalse(servedByStandby(ro));
            assertFalse(servedByStandby(w));
            primary.stopFast();
            // A write (once its connection is known lost: else its outcome is unknown, 08007, with or without the option)
            // gets the same SQLState as with the option on; only the message differs.
            assertThrows(SQLException.class, () -> value(w, 1));
            SQLException write = assertThrows(SQLException.class, () -> {
                try (Statement s = w.createStatement()) {
                    s.executeUpdate("UPDATE rf SET v = 'written' WHERE id = 1");
                }
            });
            assertEquals("08001", write.getSQLState(), write.getMessage());
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> value(ro, 1));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("readOnlyFallback off: a read-only query with no primary failed after %d ms: %s %s%n", ms, e.getSQLState(),
                    e.getMessage());
            assertEquals("08001", e.getSQLState(), e.getMessage());
            assertFalse(e.getMessage().contains("readOnlyFallback"), "today's error, not the fallback's: " + e.getMessage());
            assertTrue(ms >= BUDGET_MS - 200, "waited for a primary as before: " + ms + " ms");
            primary.start();
            assertEquals("one", value(ro, 1));
            assertFalse(servedByStandby(ro));
        }
    }

    @Test
    @Order(5)
    void aBadValueIsRefusedNamingTheOptionAndWhatItAccepts() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(resilientUrl(false) + "&resilient.readOnlyFallback=maybe").close());
        assertTrue(e.getMessage().contains("resilient.readOnlyFallback"), e.getMessage());
        assertTrue(e.getMessage().contains("true or false"), e.getMessage());
    }

    @Test
    @Order(6)
    void aReadOnlyTransactionLostWithThePrimaryIsReplayedOnTheStandbyAsTheReplayRulesAllow() throws Exception {
        try (Connection ro = DriverManager.getConnection(resilientUrl(true))) {
            ro.setReadOnly(true);
            // A transaction that saw which server it ran on cannot go on on another: its replay there reads otherwise.
            ro.setAutoCommit(false);
            assertFalse(servedByStandby(ro), "the transaction began on the primary, and saw so");
            primary.stopFast();
            SQLException diverged = assertThrows(SQLException.class, () -> value(ro, 2));
            assertEquals("40001", diverged.getSQLState(), diverged.getMessage());
            ro.rollback();
            primary.start();
            ro.setAutoCommit(true);
            await("the read-only connection back on the primary", () -> { // between units of work, within about a second
                try {
                    return !servedByStandby(ro);
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            });
            ro.setAutoCommit(false);

            // One that read only data is replayed on the standby, verified, and goes on there.
            long replays = target().guard().stats().replays();
            assertEquals("one", value(ro, 1));
            primary.stopFast();
            assertEquals("two", value(ro, 2), "replayed on the standby: what it had read was read again, the same");
            assertTrue(servedByStandby(ro));
            ro.commit();
            assertTrue(target().guard().stats().replays() > replays, "it was a replay");
            primary.start();
            ro.setReadOnly(false);
            ro.setAutoCommit(true);
            try (Statement s = ro.createStatement()) {
                assertEquals(1, s.executeUpdate("UPDATE rf SET v = 'one' WHERE id = 1"));
            }
            assertFalse(servedByStandby(ro), "no longer read-only: back on the primary for its write");
        }
    }

    @Test
    @Order(7)
    void whenTheStandbyIsPromotedTheNextWriteGoesToIt() throws Exception {
        try (Connection ac = DriverManager.getConnection(resilientUrl(true))) {
            primary.stopFast();
            assertEquals("one", value(ac, 1));
            assertTrue(servedByStandby(ac));
            try (Connection admin = standby.connect(); Statement a = admin.createStatement()) {
                a.execute("SELECT pg_promote(true, 30)");
            }
            try (Statement s = ac.createStatement()) {
                assertEquals(1, s.executeUpdate("UPDATE rf SET v = 'promoted' WHERE id = 2"));
            }
            assertFalse(servedByStandby(ac), "on the promoted server");
            try (Connection c = standby.connect()) {
                assertEquals("promoted", value(c, 2));
                assertFalse(inRecovery(standby.connect()));
            }
            assertEquals(0, gauge("readOnlyFallback.active").intValue(), "a primary is reached again");
        }
    }
}
