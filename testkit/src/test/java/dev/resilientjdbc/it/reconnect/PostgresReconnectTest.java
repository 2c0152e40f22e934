package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import dev.resilientjdbc.testkit.pg.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The logical connection survives the loss of its physical one, for each real fault and each
 * workload; the raw driver, given the same fault, fails (so the faults are real).
 */
@PgTest
@PgSettings(crashSafe = true)
class PostgresReconnectTest {
    private static PgServer pg;
    private static ChaosProxy proxy;

    /** Real faults that take the physical connection away. */
    enum Fault {
        TERMINATE_BACKEND { void apply() { assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated"); } },
        FAST_RESTART { void apply() throws Exception { pg.restart(); } },
        CRASH_RESTART { void apply() throws Exception { pg.crashRestart(); } },
        TCP_CUT { void apply() { proxy.cutAll(); } };

        abstract void apply() throws Exception;
    }

    @BeforeAll
    static void server(PgServer server, ChaosProxy chaos) throws SQLException {
        pg = server;
        proxy = chaos;
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS items(k text PRIMARY KEY, v int NOT NULL)");
            s.execute("CREATE SCHEMA IF NOT EXISTS other");
            s.execute("CREATE TABLE IF NOT EXISTS other.marker(x int)");
        }
    }

    @BeforeEach
    void clean() throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("TRUNCATE items");
            s.execute("INSERT INTO items SELECT 'seed-' || g, g FROM generate_series(1, 10) g");
        }
    }

    /** Every connection goes through the chaos proxy (pass-through unless a test cuts it). */
    private static String raw() {
        return PostgresExtension.proxiedUrl(pg, proxy) + "?user=postgres&connectTimeout=5&socketTimeout=30";
    }

    private static String resilient() {
        return raw().replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=20s";
    }

    private static long count(String where) throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long reconnects() {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> g.stats().reconnects()).sum();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void autocommitQueriesSucceedWithCorrectResults(Fault fault) throws Exception {
        try (Connection rawC = DriverManager.getConnection(raw()); Connection c = DriverManager.getConnection(resilient());
             Statement rawS = rawC.createStatement(); Statement s = c.createStatement()) {
            assertEquals(10, scalar(s, "SELECT count(*) FROM items"));
            long reconnectsBefore = reconnects();
            fault.apply();
            assertThrows(SQLException.class, () -> scalar(rawS, "SELECT count(*) FROM items"), "the raw driver fails");
            long t0 = System.nanoTime();
            assertEquals(10, scalar(s, "SELECT count(*) FROM items"), "the same answer, as if nothing happened");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 20_000, "within the budget");
            assertEquals(55, scalar(s, "SELECT sum(v) FROM items"));
            assertTrue(reconnects() > reconnectsBefore, "a reconnect really happened");
            assertFalse(c.isClosed());
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void autocommitWritesHappenExactlyOnceOrReport08007(Fault fault) throws Exception {
        try (Connection rawC = DriverManager.getConnection(raw()); Connection c = DriverManager.getConnection(resilient());
             Statement rawS = rawC.createStatement(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO items VALUES ('before', 1)");
            long reconnectsBefore = reconnects();
            fault.apply();
            assertThrows(SQLException.class, () -> rawS.executeUpdate("INSERT INTO items VALUES ('raw', 1)"));
            String key = "after-" + UUID.randomUUID();
            try {
                assertEquals(1, s.executeUpdate("INSERT INTO items VALUES ('" + key + "', 2)"));
                assertEquals(1, count("k = '" + key + "'"), "applied exactly once");
            } catch (SQLException e) {
                assertEquals("08007", e.getSQLState(), "the only failure allowed: outcome unknown, " + e);
                assertTrue(count("k = '" + key + "'") <= 1, "never twice");
            }
            // Whatever the outcome of the write in doubt, the connection goes on working.
            String next = "next-" + UUID.randomUUID();
            assertEquals(1, s.executeUpdate("INSERT INTO items VALUES ('" + next + "', 3)"));
            assertEquals(1, count("k = '" + next + "'"));
            assertTrue(reconnects() > reconnectsBefore, "a reconnect really happened");
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void preparedStatementsKeepTheirParametersAndSettings(Fault fault) throws Exception {
        try (Connection c = DriverManager.getConnection(resilient());
             PreparedStatement ps = c.prepareStatement("SELECT k, v FROM items WHERE v >= ? AND k LIKE ? ORDER BY v")) {
            ps.setInt(1, 4);
            ps.setString(2, "seed-%");
            ps.setMaxRows(3);
            ps.setFetchSize(2);
            ps.setQueryTimeout(7);
            assertEquals("4,5,6", values(ps));
            long reconnectsBefore = reconnects();
            fault.apply();
            assertEquals("4,5,6", values(ps), "same parameters, same max rows after the reconnect");
            assertTrue(reconnects() > reconnectsBefore, "a reconnect really happened");
            assertEquals(3, ps.getMaxRows());
            assertEquals(2, ps.getFetchSize());
            assertEquals(7, ps.getQueryTimeout());
            ps.setInt(1, 8);
            assertEquals("8,9,10", values(ps));
        }
    }

    private static String text(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void sessionStateSetWithSqlIsRestoredAsTheServerHadIt(Fault fault) throws Exception {
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            s.execute("SET search_path TO other, public");
            s.execute("SET TIME ZONE 'Pacific/Auckland'");
            s.execute("SET application_name = 'set-by-sql'");
            s.execute("RESET application_name"); // undone: must not come back
            c.setAutoCommit(false);
            s.execute("SET statement_timeout = '41s'");
            c.commit(); // committed: part of the session now
            s.execute("SET work_mem = '7MB'");
            c.rollback(); // rolled back on the server: must not come back
            c.setAutoCommit(true);
            s.execute("SET lock_timeout = '5s'; SELECT 1"); // two statements in one: never run again behind the app's back
            String state = "SELECT current_setting('search_path') || '|' || current_setting('TimeZone') || '|'"
                    + " || current_setting('application_name') || '|' || current_setting('statement_timeout') || '|'"
                    + " || current_setting('work_mem') || '|' || (SELECT count(*) FROM marker)";
            String before = text(s, state);
            assertTrue(before.startsWith("other, public|Pacific/Auckland||41s|4MB|"), before); // RESET: the server default, not the startup value
            long reconnectsBefore = reconnects();
            fault.apply();
            assertEquals(before, text(s, state), "the new session has what the old one had, unqualified names included");
            assertTrue(reconnects() > reconnectsBefore, "a reconnect really happened: the state is the new session's");
            assertEquals("0", text(s, "SHOW lock_timeout"), "a SET inside a multi-statement string is not restored (documented)");
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void sessionStateIsRestored(Fault fault) throws Exception {
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false); // pgjdbc applies read-only to explicit transactions
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setReadOnly(true);
            c.setSchema("other"); // runs SET: opens the transaction, so it comes after setReadOnly
            c.setClientInfo("ApplicationName", "ledger-app");
            String before = sessionState(s);
            c.commit();
            assertEquals("serializable|other|on|ledger-app", before);
            long reconnectsBefore = reconnects();
            fault.apply();
            assertEquals(before, sessionState(s), "the new physical connection is in the same state");
            assertTrue(reconnects() > reconnectsBefore, "a reconnect really happened: the state is the new connection's");
            c.commit();
            assertFalse(c.getAutoCommit());
            assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation());
            assertEquals("other", c.getSchema());
            assertTrue(c.isReadOnly());
            assertEquals("ledger-app", c.getClientInfo("ApplicationName"));
        }
    }

    @Test
    void refusedConnectsForAFewSecondsAreWaitedOut() throws Exception {
        try (Connection rawC = DriverManager.getConnection(raw()); Connection c = DriverManager.getConnection(resilient());
             Statement s = c.createStatement()) {
            assertEquals(10, scalar(s, "SELECT count(*) FROM items"));
            pg.stopFast();
            assertThrows(SQLException.class, () -> rawC.createStatement().executeQuery("SELECT 1"));
            long retriesBefore = connectRetries();
            ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "waiting-query"));
            try {
                Future<Long> answer = pool.submit(() -> scalar(s, "SELECT count(*) FROM items"));
                await(() -> connectRetries() >= retriesBefore + 2, Duration.ofSeconds(15), "connect retries against the stopped server");
                assertFalse(answer.isDone());
                pg.start();
                assertEquals(10, answer.get());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void lostTransactionIsReportedAndTheConnectionGoesOnWhenReplayIsOff() throws Exception {
        try (Connection c = DriverManager.getConnection(resilient() + "&resilient.replay.maxBytes=0"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO items VALUES ('tx-1', 1)");
            assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated");
            long reconnectsBefore = reconnects();
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO items VALUES ('tx-2', 2)"));
            assertTrue(e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57"), e.toString());
            // The transaction is gone: going on as if it were not would commit half of it.
            SQLException half = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO items VALUES ('tx-3', 3)"));
            assertEquals("40000", half.getSQLState());
            assertTrue(half.getMessage().contains("resilient.replay.maxBytes=0"), "the 40000 says why replay was off: " + half.getMessage());
            c.rollback();
            s.executeUpdate("INSERT INTO items VALUES ('tx-4', 4)");
            c.commit();
            assertEquals(0, count("k IN ('tx-1', 'tx-2', 'tx-3')"), "nothing of the lost transaction");
            assertEquals(1, count("k = 'tx-4'"));
            assertTrue(reconnects() > reconnectsBefore, "the connection went on on a new physical one");
        }
    }

    @Test
    void firstStatementOfATransactionIsRetriedAfterALostConnection() throws Exception {
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO items VALUES ('t1', 1)");
            c.commit();
            assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated");
            long reconnectsBefore = reconnects();
            assertEquals(1, s.executeUpdate("INSERT INTO items VALUES ('t2', 2)"), "nothing could have committed: safe to run again");
            assertTrue(reconnects() > reconnectsBefore, "it ran again on a new connection");
            c.commit();
            assertEquals(1, count("k = 't2'"));
        }
    }

    @Test
    void deadConnectionsAreClosedAndBackendsReturnToBaseline() throws Exception {
        // Backends of earlier tests' closed connections exit asynchronously: start from a quiet server.
        await(() -> pg.clientBackendCount() == 0, Duration.ofSeconds(10), "earlier backends to exit");
        int baseline = 0;
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            long reconnectsBefore = reconnects();
            for (int i = 0; i < 3; i++) {
                assertEquals(1, pg.terminateAllClientBackends(), "the one backend of the one logical connection was terminated");
                assertEquals(10, scalar(s, "SELECT count(*) FROM items"));
                assertEquals(baseline + 1, pg.clientBackendCount(), "one backend for the one logical connection");
            }
            assertEquals(3, reconnects() - reconnectsBefore, "three reconnects, one per termination");
        }
        await(() -> pg.clientBackendCount() == baseline, Duration.ofSeconds(10), "backends back to baseline");
    }

    private static long connectRetries() {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> g.stats().connectRetries()).sum();
    }

    private static long scalar(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String values(PreparedStatement ps) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                sb.append(sb.length() == 0 ? "" : ",").append(rs.getInt(2));
            }
        }
        return sb.toString();
    }

    private static String sessionState(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT current_setting('transaction_isolation'), current_schema(),"
                + " current_setting('transaction_read_only'), current_setting('application_name')")) {
            rs.next();
            return rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4);
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        dev.resilientjdbc.testkit.Await.until(timeout, condition, what);
    }
}
