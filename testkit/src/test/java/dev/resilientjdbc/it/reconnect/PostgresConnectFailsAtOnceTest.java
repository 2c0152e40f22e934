package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connect that fails for a reason no retry can change (here the application demands SSL from a
 * server without it: pgjdbc's 08004) fails at once with the real driver's SQLState, instead of being
 * tried for the whole connect budget.
 */
@PgTest
class PostgresConnectFailsAtOnceTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @Test
    void aConnectRejectedByConfigurationIsNotRetried() {
        String url = pg.jdbcUrl() + "?user=postgres&sslmode=require&connectTimeout=5";
        SQLException raw = assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        assertEquals("08004", raw.getSQLState(), "the raw driver's answer: " + raw);
        long t0 = System.nanoTime();
        SQLException ours = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url.replace("jdbc:", "jdbc:resilient:")).close());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(raw.getSQLState(), ours.getSQLState(), ours.toString());
        assertTrue(millis < 2000, "failed at once, not after the connect budget: " + millis + " ms");
    }

    /** Issue 16: a socket factory class that cannot be loaded is configuration: the raw driver's 08006 at once, not 30 s of retries. */
    @Test
    void aSocketFactoryThatCannotBeLoadedIsNotRetried() {
        String url = pg.jdbcUrl() + "?user=postgres&socketFactory=com.example.NoSuchSocketFactory";
        SQLException raw = assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        long t0 = System.nanoTime();
        SQLException ours = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url.replace("jdbc:", "jdbc:resilient:")).close());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(raw.getSQLState(), ours.getSQLState(), ours.toString());
        assertEquals(raw.getMessage(), ours.getMessage(), "the real driver's own error");
        assertTrue(millis < 2000, "failed at once, not after the connect budget: " + millis + " ms");
    }

    /**
     * Issue 27: a socket factory class that loads but is not a SocketFactory (pgjdbc's ClassCastException)
     * is configuration too: the raw driver's exception at once, not the connect budget of retries.
     */
    @Test
    void aSocketFactoryOfTheWrongClassIsNotRetried() {
        String url = pg.jdbcUrl() + "?user=postgres&socketFactory=java.util.ArrayList";
        long r0 = System.nanoTime();
        SQLException raw = assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        long rawMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - r0);
        assertTrue(causedBy(raw, ClassCastException.class), "the fault hit: the raw driver could not use the class: " + raw);
        long t0 = System.nanoTime();
        SQLException ours = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url.replace("jdbc:", "jdbc:resilient:")).close());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(raw.getSQLState(), ours.getSQLState(), ours.toString());
        assertEquals(raw.getMessage(), ours.getMessage(), "the real driver's own error");
        assertTrue(causedBy(ours, ClassCastException.class), "the real cause stays reachable: " + ours);
        assertTrue(millis < 2000, "failed at once (raw: " + rawMillis + " ms), not after the connect budget: " + millis + " ms");
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Issue 16: a local socket address that is not this machine's (or does not resolve) is configuration:
     * the raw driver's answer at once, not the connect budget of retries.
     */
    @Test
    void anInvalidLocalSocketAddressIsNotRetried() {
        for (String local : new String[]{"203.0.113.77", "no-such-host.invalid"}) {
            String url = pg.jdbcUrl() + "?user=postgres&connectTimeout=5&localSocketAddress=" + local;
            SQLException raw = assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
            long t0 = System.nanoTime();
            SQLException ours = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(url.replace("jdbc:", "jdbc:resilient:")).close());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(raw.getSQLState(), ours.getSQLState(), local + ": " + ours);
            assertEquals(raw.getMessage(), ours.getMessage(), local + ": the real driver's own error");
            assertTrue(millis < 2000, local + ": failed at once, not after the connect budget: " + millis + " ms");
        }
    }

    /** A port nothing listens on: every attempt is refused at once, so only the time budget ends the retries. */
    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Issue 16: the application's loginTimeout bounds the whole connect, retries included (a refused
     * server was tried for the 30 s connect budget: 27 attempts in 31.5 s with loginTimeout=2). Retries
     * still happen within it: a server that starts in that time is reached.
     */
    @Test
    void loginTimeoutInTheUrlBoundsTheWholeConnect() throws Exception {
        String url = "jdbc:resilient:postgresql://127.0.0.1:" + closedPort() + "/x?user=postgres&loginTimeout=2";
        long t0 = System.nanoTime();
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals("08001", e.getSQLState(), e.toString());
        assertTrue(millis >= 1_500 && millis < 3_500, "retried for the application's 2 s, no longer: " + millis + " ms");
        assertTrue(e.getSuppressed().length > 0, "more than one attempt was made within the limit: " + e);
    }

    @Test
    void driverManagerLoginTimeoutBoundsTheWholeConnect() throws Exception {
        String url = "jdbc:resilient:postgresql://127.0.0.1:" + closedPort() + "/x?user=postgres";
        int before = DriverManager.getLoginTimeout();
        DriverManager.setLoginTimeout(2);
        try {
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals("08001", e.getSQLState(), e.toString());
            assertTrue(millis >= 1_500 && millis < 3_500, "retried for DriverManager's 2 s, no longer: " + millis + " ms");
        } finally {
            DriverManager.setLoginTimeout(before);
        }
    }

    /**
     * Issue 16: pgjdbc closes the connection itself (08006) when the session changes client_encoding; a
     * new connection would be refused the same way. The failure is the application's at once (it was
     * retried ten times, and the SET replayed into every new connection). Issue 27: the connection is then
     * over, as the raw one is (isClosed, next call 08003); a new connection keeps UTF8.
     */
    @Test
    void aSettingPgjdbcRefusesFailsAtOnceAndIsNotCarriedOver() throws Exception {
        String url = pg.jdbcUrl() + "?user=postgres";
        SQLException raw;
        try (java.sql.Connection c = DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
            raw = assertThrows(SQLException.class, () -> s.execute("SET client_encoding TO 'LATIN1'"));
            assertTrue(c.isClosed(), "pgjdbc closed its connection");
        }
        assertEquals("08006", raw.getSQLState(), raw.toString());
        try (java.sql.Connection c = DriverManager.getConnection(url.replace("jdbc:", "jdbc:resilient:"));
             java.sql.Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            SQLException ours = assertThrows(SQLException.class, () -> s.execute("SET client_encoding TO 'LATIN1'"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(raw.getSQLState(), ours.getSQLState(), ours.toString());
            assertEquals(raw.getMessage(), ours.getMessage(), "the real driver's own error");
            assertTrue(millis < 1_000, "at once, not after ten reconnects: " + millis + " ms");
            assertTrue(c.isClosed(), "closed, as pgjdbc closed its own");
            SQLException next = assertThrows(SQLException.class, () -> s.executeQuery("SHOW client_encoding"));
            assertEquals("08003", next.getSQLState(), next.toString());
        }
        try (java.sql.Connection c = DriverManager.getConnection(url.replace("jdbc:", "jdbc:resilient:"));
             java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SHOW client_encoding")) {
            rs.next();
            assertEquals("UTF8", rs.getString(1), "a new connection is as pgjdbc needs it");
        }
    }
}
