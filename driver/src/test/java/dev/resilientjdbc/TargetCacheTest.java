package dev.resilientjdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver keeps what it worked out per URL and properties; these tests make sure the cache never
 * changes what reaches the real driver: each connect's own user, password and properties, a bad
 * configuration rejected every time, and nothing kept across deregistration.
 */
class TargetCacheTest {
    /** A real driver stand-in (jdbc:recording:) that hands out SQLite in-memory connections and records what it was given. */
    static final class RecordingDriver implements Driver {
        final List<Properties> seen = new ArrayList<>();

        @Override
        public Connection connect(String url, Properties info) throws SQLException {
            if (!acceptsURL(url)) {
                return null;
            }
            Properties copy = new Properties();
            for (String n : info.stringPropertyNames()) {
                copy.setProperty(n, info.getProperty(n));
            }
            seen.add(copy);
            if ("wrong".equals(info.getProperty("password"))) {
                throw new SQLException("password authentication failed", "28P01");
            }
            return DriverManager.getConnection("jdbc:sqlite::memory:");
        }

        @Override
        public boolean acceptsURL(String url) {
            return url != null && url.startsWith("jdbc:recording:");
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
            return new DriverPropertyInfo[0];
        }

        @Override
        public int getMajorVersion() {
            return 1;
        }

        @Override
        public int getMinorVersion() {
            return 0;
        }

        @Override
        public boolean jdbcCompliant() {
            return false;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getLogger("recording");
        }
    }

    private static final RecordingDriver REAL = new RecordingDriver();
    private static final String URL = "jdbc:resilient:recording:db?resilient.metrics.enabled=false";

    @BeforeAll
    static void register() throws SQLException {
        DriverManager.registerDriver(REAL);
    }

    @AfterAll
    static void deregister() throws SQLException {
        DriverManager.deregisterDriver(REAL);
    }

    @BeforeEach
    void clear() {
        REAL.seen.clear();
    }

    private static Properties props(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return p;
    }

    @Test
    void eachConnectGivesTheRealDriverItsOwnCredentials() throws SQLException {
        DriverManager.getConnection(URL, props("app", "right")).close();
        DriverManager.getConnection(URL, props("app", "right")).close();
        // A cached target must never let a wrong password through on the strength of an earlier right one.
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(URL, props("app", "wrong")));
        assertEquals("28P01", e.getSQLState());
        DriverManager.getConnection(URL, props("other", "right")).close();
        assertEquals(List.of("right", "right", "wrong", "right"), REAL.seen.stream().map(p -> p.getProperty("password")).toList());
        assertEquals("other", REAL.seen.get(3).getProperty("user"));
    }

    @Test
    void defaultsBehindThePropertiesObjectCountToo() throws SQLException {
        Properties defaults = new Properties();
        defaults.setProperty("applicationName", "first");
        DriverManager.getConnection(URL, new Properties(defaults)).close();
        defaults.setProperty("applicationName", "second");
        DriverManager.getConnection(URL, new Properties(defaults)).close();
        assertEquals(List.of("first", "second"), REAL.seen.stream().map(p -> p.getProperty("applicationName")).toList());
    }

    @Test
    void aBadOptionIsRejectedOnEveryConnectNotOnlyTheFirst() {
        for (int i = 0; i < 3; i++) {
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection("jdbc:resilient:recording:db?resilient.retry.maxAttempts=lots"));
            assertEquals("HY024", e.getSQLState());
        }
        assertTrue(REAL.seen.isEmpty(), "the real driver is never reached with a bad option");
    }

    @Test
    void pastItsBoundTheCacheLetsOneTargetGoNotAll() {
        // An application with a URL per tenant: the 513th tenant costs one entry, not every tenant's next connect.
        Targets.clear();
        Assembly.PhysicalSource source = () -> null;
        List<Targets.Key> keys = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            Targets.Key k = Targets.key("jdbc:resilient:recording:tenant" + i, new Properties());
            keys.add(k);
            Targets.put(k, source);
        }
        assertTrue(Targets.get(keys.get(0)) != null, "the first tenant, used just now");
        Targets.put(Targets.key("jdbc:resilient:recording:tenant512", new Properties()), source);
        assertEquals(512, Targets.size(), "one entry went to make room");
        assertTrue(Targets.get(keys.get(0)) != null, "a target used since the last pass stays");
        Targets.clear();
    }

    @Test
    void deregisteringForgetsEveryTarget() throws SQLException {
        DriverManager.getConnection(URL, props("app", "right")).close();
        assertTrue(Targets.size() > 0);
        ResilientDriver.deregister();
        try {
            assertEquals(0, Targets.size());
        } finally {
            ResilientDriver.register();
        }
        DriverManager.getConnection(URL, props("app", "right")).close();
        assertEquals(2, REAL.seen.size());
    }
}
