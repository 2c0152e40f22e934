package dev.resilientjdbc;

import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.retry.RetrySettings;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connect budget a URL gets: 30 s for one host; 60 s when a PostgreSQL URL names several (an HA
 * cluster: Patroni's default failover takes up to ttl + loop_wait = 40 s); whatever the application set, always.
 */
class ConnectBudgetTest {
    private static ResilientConfig config(Map<String, String> url, Map<String, String> env) throws SQLException {
        return new ConfigResolver(ResilientOptions.REGISTRY, new Properties(), env).resolve(url, new Properties());
    }

    @Test
    void severalHostsGetALongerDefaultBudget() throws SQLException {
        ResilientConfig defaults = config(Map.of(), Map.of());
        assertEquals(Duration.ofSeconds(30), RetrySettings.from(defaults, false).connectBudget());
        assertEquals(Duration.ofSeconds(60), RetrySettings.from(defaults, true).connectBudget());
    }

    @Test
    void aBudgetTheApplicationSetIsKeptWhereverItCameFrom() throws SQLException {
        assertEquals(Duration.ofSeconds(30), RetrySettings.from(
                config(Map.of("resilient.connect.maxDuration", "30s"), Map.of()), true).connectBudget());
        assertEquals(Duration.ofSeconds(5), RetrySettings.from(
                config(Map.of(), Map.of("RESILIENT_CONNECT_MAX_DURATION", "5s")), true).connectBudget());
        assertEquals(Duration.ZERO, RetrySettings.from(
                config(Map.of("resilient.connect.maxDuration", "0ms"), Map.of()), true).connectBudget());
    }

    @Test
    void severalHostsAreTheCommaSeparatedHostList() {
        assertTrue(Assembly.severalHosts("jdbc:postgresql://h1:5432,h2:5432,h3:5432/app?targetServerType=primary"));
        assertTrue(Assembly.severalHosts("jdbc:postgresql://h1,h2"));
        assertFalse(Assembly.severalHosts("jdbc:postgresql://haproxy:5000/app"));
        assertFalse(Assembly.severalHosts("jdbc:postgresql://h1/app?options=a,b"), "a comma after the path is not a host list");
        assertFalse(Assembly.severalHosts("jdbc:postgresql://h1?options=a,b"));
        assertFalse(Assembly.severalHosts("jdbc:postgresql:app"));
    }
}
