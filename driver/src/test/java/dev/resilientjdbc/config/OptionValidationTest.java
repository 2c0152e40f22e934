package dev.resilientjdbc.config;

import dev.resilientjdbc.ResilientDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values inside the documented ranges either work or are HY024 naming the options at fault; never an
 * unchecked exception, never a value HikariCP would quietly replace.
 */
class OptionValidationTest {
    private static final String URL = "jdbc:resilient:sqlite::memory:?";

    @AfterAll
    static void pools() {
        ResilientDriver.targets().close();
    }

    private static SQLException rejected(String query) {
        try (Connection c = new ResilientDriver().connect(URL + query, new Properties())) {
            throw new AssertionError(query + " was accepted: " + c);
        } catch (SQLException e) {
            assertEquals(OptionRegistry.BAD_VALUE_STATE, e.getSQLState(), e.getMessage());
            return e;
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // each: the query, and the options the message must name
            "resilient.retry.maxDuration=9999999999999999h | resilient.retry.maxDuration",
            "resilient.retry.maxDuration=5 | resilient.retry.baseDelay,resilient.retry.maxDuration",
            "resilient.retry.maxDuration=10&resilient.retry.strategy=fixed | resilient.retry.baseDelay,resilient.retry.maxDuration",
            "resilient.connect.maxDuration=1s&resilient.retry.strategy=random | resilient.connect.maxDuration,resilient.retry.maxDelay,resilient.retry.strategy",
            "resilient.connect.maxDuration=5&resilient.retry.baseDelay=5 | resilient.connect.maxDuration,resilient.retry.baseDelay",
            "resilient.pool.maxLifetime=1ms | resilient.pool.maxLifetime",
            "resilient.pool.maxLifetime=29s | resilient.pool.maxLifetime",
            "resilient.pool.idleTimeout=1ms | resilient.pool.idleTimeout",
            "resilient.pool.leakDetectionThreshold=1ms | resilient.pool.leakDetectionThreshold",
            "resilient.pool=true&resilient.pool.idleTimeout=30m&resilient.pool.maxLifetime=30m | resilient.pool.idleTimeout,resilient.pool.maxLifetime",
            "resilient.pool=true&resilient.pool.leakDetectionThreshold=1h&resilient.pool.maxLifetime=30m | resilient.pool.leakDetectionThreshold,resilient.pool.maxLifetime",
            "resilient.pool=true&resilient.pool.minIdle=3&resilient.pool.maxSize=2 | resilient.pool.minIdle,resilient.pool.maxSize,(3),(2)",
            "resilient.pool=true&resilient.pool.minIdle=11 | resilient.pool.minIdle,resilient.pool.maxSize,(11),(10)",
            "resilient.health.errorRateWarn=0.5&resilient.health.errorRateCritical=0.1 | resilient.health.errorRateWarn,resilient.health.errorRateCritical",
            "resilient.health.p99Warn=10s | resilient.health.p99Warn,resilient.health.p99Critical",
            "resilient.classify.overrides=57014=FATAL,57014=CONNECTION | resilient.classify.overrides,57014",
            "resilient.classify.overrides=code:5=FATAL,code:5=BUSY | resilient.classify.overrides,CODE:5",
    })
    void conflictsAndSilentReplacementsAreRejected(String query, String named) {
        SQLException e = rejected(query);
        for (String option : named.split(",")) {
            assertTrue(e.getMessage().contains(option), "names " + option + ": " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "resilient.retry.multiplier=0x1p1", "resilient.retry.multiplier=2d", "resilient.retry.multiplier=2f",
            "resilient.retry.multiplier=2e0", "resilient.retry.jitter=NaN", "resilient.retry.jitter=Infinity",
            "resilient.retry.maxAttempts=%EF%BC%95", "resilient.retry.maxAttempts=%D9%A3", "resilient.retry.maxAttempts=5L",
            "resilient.retry.baseDelay=%EF%BC%91%EF%BC%90ms", "resilient.retry.maxAttempts=0x5",
            "resilient.classify.overrides=code:%EF%BC%95=FATAL", "resilient.pool.maxSize=99999999999999999999",
    })
    void onlyAsciiDecimalNumbersAreNumbers(String query) {
        SQLException e = rejected(query);
        String key = query.substring(0, query.indexOf('='));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    /** Found by OptionFuzzProperties: a message quoted a huge override entry whole, twice. */
    @ParameterizedTest
    @ValueSource(strings = {"08=connection,code:5=busy", "57014=FATAL", "code:5=busy", "XX=busy", "08=nonsense"})
    void aHugeValueIsQuotedShort(String entry) {
        String huge = entry.replace("=", "x".repeat(1500) + "=").repeat(3);
        SQLException e = rejected("resilient.classify.overrides=" + URLEncoder.encode(huge, StandardCharsets.UTF_8));
        assertTrue(e.getMessage().contains("resilient.classify.overrides") && e.getMessage().contains("characters)"), e.getMessage());
        assertTrue(e.getMessage().length() < 800, () -> e.getMessage().length() + " characters: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "resilient.retry.maxDuration=5&resilient.retry.strategy=linear",
            "resilient.retry.maxDuration=0&resilient.connect.maxDuration=0&resilient.retry.strategy=random",
            "resilient.retry.maxDuration=11&resilient.retry.strategy=fixed",
            "resilient.pool=true&resilient.pool.maxLifetime=30s",
            "resilient.pool=true&resilient.pool.maxLifetime=0&resilient.pool.idleTimeout=0&resilient.pool.leakDetectionThreshold=2s",
            "resilient.pool=true&resilient.pool.maxLifetime=1m&resilient.pool.leakDetectionThreshold=1m",
            "resilient.pool=true&resilient.pool.maxSize=1", // the default minIdle (2) follows a smaller maxSize
            "resilient.pool=true&resilient.pool.minIdle=2&resilient.pool.maxSize=2",
            "resilient.health.p99Warn=5s&resilient.health.errorRateWarn=0.15",
            "resilient.retry.multiplier=%2B3.&resilient.retry.jitter=.5&resilient.retry.maxAttempts=%2B7",
    })
    void validCombinationsWork(String query) throws SQLException {
        try (Connection c = new ResilientDriver().connect(URL + query, new Properties())) {
            assertNotNull(c);
        }
    }
}
