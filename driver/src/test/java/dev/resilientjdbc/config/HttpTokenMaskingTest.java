package dev.resilientjdbc.config;

import dev.resilientjdbc.ResilientDriver;
import org.junit.jupiter.api.Test;

import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** resilient.http.token never shows: not in messages, URLs, the configuration's toString or getPropertyInfo. */
class HttpTokenMaskingTest {
    private static final String TOKEN = "Hunter2Secret-token-0123456789";

    @Test
    void theTokenIsMaskedEverywhere() throws SQLException {
        String url = "jdbc:resilient:sqlite::memory:?resilient.http.token=" + TOKEN;
        assertFalse(UrlMasking.mask(url).contains("Hunter2"), UrlMasking.mask(url));
        SQLException bad = assertThrows(SQLException.class,
                () -> new ResilientDriver().connect("jdbc:resilient:sqlite::memory:?resilient.http.token=Hunter2 x", new Properties()));
        assertEquals(OptionRegistry.BAD_VALUE_STATE, bad.getSQLState());
        assertFalse(bad.getMessage().contains("Hunter2"), bad.getMessage());
        ResilientConfig config = new ConfigResolver(ResilientOptions.REGISTRY, new Properties(), Map.of())
                .resolve(Map.of("resilient.http.token", TOKEN), new Properties());
        assertEquals(TOKEN, config.get(ResilientOptions.HTTP_TOKEN));
        assertFalse(config.toString().contains("Hunter2"), config.toString());
        DriverPropertyInfo info = Arrays.stream(new ResilientDriver().getPropertyInfo(url, null))
                .filter(i -> i.name.equals("resilient.http.token")).findFirst().orElseThrow();
        assertEquals("***", info.value);
    }
}
