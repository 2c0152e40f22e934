package dev.resilientjdbc;

import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.config.ResilientConfig;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static dev.resilientjdbc.config.ResilientOptions.REGISTRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where resilient.readOnlyFallback applies, and the URLs and properties it connects with. */
class ReadOnlyFallbackUrlTest {
    private static ResilientConfig config(Map<String, String> options) throws SQLException {
        return new ConfigResolver(REGISTRY, new Properties(), Map.of()).resolve(options, null);
    }

    private static ResilientConfig on() throws SQLException {
        return config(Map.of("resilient.readOnlyFallback", "true"));
    }

    @Test
    void offByDefault() throws SQLException {
        assertNull(Assembly.readOnlyFallback(config(Map.of()), "jdbc:postgresql://h1,h2/db", new Properties()));
    }

    @Test
    void primaryForWritesAndPreferSecondaryForReadsWithTheHostsAsTheUrlNamesThem() throws SQLException {
        Properties info = new Properties();
        info.setProperty("user", "app");
        Assembly.FallbackUrls f = Assembly.readOnlyFallback(on(),
                "jdbc:postgresql://h1:5433,h2,[::1]:5434/db?targetServerType=preferPrimary&connectTimeout=2", info);
        assertEquals(List.of("h1:5433", "h2:5432", "[::1]:5434"), f.hosts());
        assertEquals("jdbc:postgresql://h1:5433,h2,[::1]:5434/db?connectTimeout=2", f.primaryUrl(),
                "the URL's own targetServerType would win over the property: taken out");
        assertEquals("primary", f.primaryInfo().getProperty("targetServerType"));
        assertEquals("preferSecondary", f.standbyInfo().getProperty("targetServerType"));
        assertEquals("app", f.standbyInfo().getProperty("user"));
        assertEquals(f.primaryUrl(), f.standbyUrl());
    }

    @Test
    void ignoredWhereItCannotApply() throws SQLException {
        Properties none = new Properties();
        assertNull(Assembly.readOnlyFallback(on(), "jdbc:postgresql://h1/db", none), "one host: no standby to ask");
        assertNull(Assembly.readOnlyFallback(on(), "jdbc:postgresql://h1,h2/db?targetServerType=any", none));
        assertNull(Assembly.readOnlyFallback(on(), "jdbc:postgresql://h1,h2/db?targetServerType=preferSecondary", none));
        assertNull(Assembly.readOnlyFallback(on(), "jdbc:sqlite:/tmp/x.db", none));
        assertNull(Assembly.readOnlyFallback(config(Map.of("resilient.readOnlyFallback", "true", "resilient.pool", "true")),
                "jdbc:postgresql://h1,h2/db", none), "not with the embedded pool");
        assertTrue(Assembly.readOnlyFallback(on(), "jdbc:postgresql://h1,h2/db?targetServerType=primary", none) != null);
        assertTrue(Assembly.readOnlyFallback(on(), "jdbc:postgresql://h1,h2/db?targetServerType=master", none) != null);
    }

    @Test
    void aBadValueNamesTheOptionAndWhatItAccepts() {
        SQLException e = assertThrows(SQLException.class, () -> config(Map.of("resilient.readOnlyFallback", "yes please")));
        assertTrue(e.getMessage().contains("resilient.readOnlyFallback") && e.getMessage().contains("true or false"), e.getMessage());
    }

    @Test
    void withoutParameter() {
        assertEquals("jdbc:postgresql://a,b/db", Assembly.withoutParameter("jdbc:postgresql://a,b/db?targetServerType=primary", "targetServerType"));
        assertEquals("jdbc:postgresql://a,b/db?x=1&y=2",
                Assembly.withoutParameter("jdbc:postgresql://a,b/db?x=1&targetServerType=primary&y=2", "targetServerType"));
        assertEquals("jdbc:postgresql://a,b/db", Assembly.withoutParameter("jdbc:postgresql://a,b/db", "targetServerType"));
    }
}
