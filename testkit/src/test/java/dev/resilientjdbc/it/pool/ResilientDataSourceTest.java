package dev.resilientjdbc.it.pool;

import dev.resilientjdbc.ResilientDataSource;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.proxy.ResilientProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** resilient-jdbc configured as a DataSource bean, on real PostgreSQL with real faults. */
@PgTest
class ResilientDataSourceTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @AfterEach
    void closePools() {
        ResilientDriver.targets().close();
    }

    private static String url(String options) {
        return pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + (options.isEmpty() ? "" : "?" + options);
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aBeanConfiguredWithUrlAndUserHandsOutResilientConnections() throws SQLException {
        ResilientDataSource ds = new ResilientDataSource();
        ds.setUrl(url(""));
        ds.setUser("postgres");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            assertTrue(c.isWrapperFor(ResilientProxy.class));
            int before = pid(c);
            assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated");
            try (ResultSet rs = s.executeQuery("SELECT 42")) {
                rs.next();
                assertEquals(42, rs.getInt(1), "the terminated backend was replaced behind the application's back");
            }
            assertFalse(before == pid(c), "a new backend");
        }
        assertTrue(ds.isWrapperFor(DataSource.class));
        assertSame(ds, ds.unwrap(ResilientDataSource.class));
    }

    @Test
    void withPoolTrueBorrowsComeFromThePool() throws SQLException {
        ResilientDataSource ds = new ResilientDataSource(url("user=postgres&resilient.pool=true&resilient.pool.maxSize=1"));
        int first;
        try (Connection c = ds.getConnection()) {
            first = pid(c);
        }
        try (Connection c = ds.getConnection()) {
            assertEquals(first, pid(c), "the same pooled backend, borrowed again");
        }
    }

    @Test
    void settingsChangedAfterAConnectAreUsedByTheNextOne() throws SQLException {
        ResilientDataSource ds = new ResilientDataSource(url("user=postgres"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('application_name')")) {
            rs.next();
            assertEquals("PostgreSQL JDBC Driver", rs.getString(1));
        }
        ds.setProperty("ApplicationName", "bean-app");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('application_name')")) {
            rs.next();
            assertEquals("bean-app", rs.getString(1));
        }
    }

    @Test
    void anotherUsersConnectionUsesThatUsersCredentials() throws SQLException {
        // The user as a property, not in the URL: pgjdbc lets the URL's user win over any property.
        ResilientDataSource ds = new ResilientDataSource(url(""));
        ds.setUser("postgres");
        try (Connection c = ds.getConnection("postgres", null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            assertEquals("postgres", rs.getString(1));
        }
        SQLException e = assertThrows(SQLException.class, () -> ds.getConnection("no_such_role", "secret-pw"));
        assertEquals("28000", e.getSQLState(), e.toString());
        assertFalse(e.getMessage().contains("secret-pw"));
    }

    @Test
    void aMissingOrForeignUrlIsAClearError() {
        SQLException none = assertThrows(SQLException.class, () -> new ResilientDataSource().getConnection());
        assertEquals("08001", none.getSQLState());
        assertTrue(none.getMessage().contains("not set") && none.getMessage().contains("jdbc:resilient:"), none.getMessage());
        ResilientDataSource foreign = new ResilientDataSource("jdbc:postgresql://h/db?user=a&password=hunter2");
        SQLException e = assertThrows(SQLException.class, foreign::getConnection);
        assertTrue(e.getMessage().contains("jdbc:resilient:") && !e.getMessage().contains("hunter2"), e.getMessage());
        assertFalse(foreign.toString().contains("hunter2"), foreign.toString());
    }
}
