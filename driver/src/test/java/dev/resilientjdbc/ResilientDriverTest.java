package dev.resilientjdbc;

import dev.resilientjdbc.proxy.ResilientProxy;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResilientDriverTest {

    @Test
    void registeredThroughServiceLoaderAndStaticBlock() throws SQLException {
        Driver d = DriverManager.getDriver("jdbc:resilient:sqlite::memory:");
        assertInstanceOf(ResilientDriver.class, d);
        assertTrue(ResilientDriver.isRegistered());
    }

    @Test
    void deregisterAndRegisterAgain() throws SQLException {
        ResilientDriver.deregister();
        try {
            assertFalse(ResilientDriver.isRegistered());
            assertTrue(Collections.list(DriverManager.getDrivers()).stream().noneMatch(d -> d instanceof ResilientDriver));
        } finally {
            ResilientDriver.register();
        }
        assertTrue(Collections.list(DriverManager.getDrivers()).stream().anyMatch(d -> d instanceof ResilientDriver));
    }

    @Test
    void foreignUrlsGetNull() throws SQLException {
        ResilientDriver d = new ResilientDriver();
        assertNull(d.connect("jdbc:sqlite::memory:", new Properties()));
        assertNull(d.connect(null, new Properties()));
        assertFalse(d.acceptsURL("jdbc:sqlite::memory:"));
    }

    @Test
    void noRealDriverNamesTheMaskedUrlAndTheDriversTried() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection("jdbc:resilient:nosuchdb://h/db?user=a&password=hunter2"));
        assertEquals("08001", e.getSQLState());
        assertTrue(e.getMessage().contains("jdbc:nosuchdb://h/db?user=a&password=***"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("org.sqlite.JDBC"), e.getMessage());
        assertTrue(e.getMessage().contains("org.postgresql.Driver"), e.getMessage());
        assertFalse(e.getMessage().contains(ResilientDriver.class.getName()), "never tries itself: " + e.getMessage());
    }

    @Test
    void unknownOptionInUrlFailsConnect() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection("jdbc:resilient:sqlite::memory:?resilient.enabeld=true"));
        assertTrue(e.getMessage().contains("did you mean 'resilient.enabled'"), e.getMessage());
    }

    @Test
    void badValueInPropertiesFailsConnect() {
        Properties p = new Properties();
        p.setProperty("resilient.enabled", "maybe");
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:resilient:sqlite::memory:", p));
        assertTrue(e.getMessage().contains("'maybe'") && e.getMessage().contains("true or false"), e.getMessage());
    }

    @Test
    void disabledHandsOutTheRealConnection() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:resilient:sqlite::memory:?resilient.enabled=false")) {
            assertFalse(c instanceof ResilientProxy);
            assertEquals("org.sqlite.jdbc4.JDBC4Connection", c.getClass().getName());
        }
        try (Connection c = DriverManager.getConnection("jdbc:resilient:sqlite::memory:")) {
            assertTrue(c instanceof ResilientProxy);
        }
    }

    @Test
    void propertyInfoListsOurOptionsAndTheRealDriversOnes() throws SQLException {
        DriverPropertyInfo[] info = new ResilientDriver().getPropertyInfo("jdbc:resilient:postgresql://h/db?resilient.enabled=false", null);
        DriverPropertyInfo enabled = Arrays.stream(info).filter(i -> i.name.equals("resilient.enabled")).findFirst().orElseThrow();
        assertEquals("false", enabled.value);
        assertTrue(enabled.description.contains("Default true"));
        assertTrue(Arrays.stream(info).anyMatch(i -> i.name.equals("sslmode")), "pgjdbc's own properties are listed");
    }
}
