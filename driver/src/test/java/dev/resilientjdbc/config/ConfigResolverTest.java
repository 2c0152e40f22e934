package dev.resilientjdbc.config;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigResolverTest {
    // A registry of its own, so precedence and parsing are tested on every type, independent of
    // which options the driver has today.
    static final Option<Integer> ATTEMPTS = new Option<>("resilient.test.maxAttempts", OptionType.integer(1, 100), 5, "5", "attempts");
    static final Option<Duration> DELAY = new Option<>("resilient.test.baseDelay",
            OptionType.duration(Duration.ZERO, Duration.ofMinutes(1)), Duration.ofMillis(50), "50ms", "delay");
    static final Option<Boolean> FLAG = new Option<>("resilient.test.flag", OptionType.bool(), false, "false", "flag");
    static final Option<Double> RATIO = new Option<>("resilient.test.ratio", OptionType.decimal(0, 1), 0.5, "0.5", "ratio");
    enum Mode { FAST, SLOW }
    static final Option<Mode> MODE = new Option<>("resilient.test.mode", OptionType.oneOf(Mode.class), Mode.FAST, "fast", "mode");
    static final OptionRegistry REGISTRY = new OptionRegistry(List.of(ATTEMPTS, DELAY, FLAG, RATIO, MODE));

    private static ResilientConfig resolve(Map<String, String> url, Properties info, Properties sys, Map<String, String> env)
            throws SQLException {
        return new ConfigResolver(REGISTRY, sys, env).resolve(url, info);
    }

    private static ResilientConfig resolveUrl(String key, String value) throws SQLException {
        return resolve(Map.of(key, value), null, new Properties(), Map.of());
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsWhenNothingIsSet() throws SQLException {
        ResilientConfig c = resolve(Map.of(), new Properties(), new Properties(), Map.of());
        assertEquals(5, c.get(ATTEMPTS));
        assertEquals(Duration.ofMillis(50), c.get(DELAY));
        assertEquals(OptionSource.DEFAULT, c.sourceOf(ATTEMPTS));
    }

    @Test
    void precedenceIsUrlThenPropertiesThenSystemThenEnvironment() throws SQLException {
        Map<String, String> env = Map.of("RESILIENT_TEST_MAX_ATTEMPTS", "1", "RESILIENT_TEST_BASE_DELAY", "1s",
                "RESILIENT_TEST_FLAG", "true", "RESILIENT_TEST_RATIO", "0.1");
        Properties sys = props("resilient.test.maxAttempts", "2", "resilient.test.baseDelay", "2s", "resilient.test.flag", "false");
        Properties info = props("resilient.test.maxAttempts", "3", "resilient.test.baseDelay", "3s");
        ResilientConfig c = resolve(Map.of("resilient.test.maxAttempts", "4"), info, sys, env);
        assertEquals(4, c.get(ATTEMPTS));
        assertEquals(OptionSource.URL, c.sourceOf(ATTEMPTS));
        assertEquals(Duration.ofSeconds(3), c.get(DELAY));
        assertEquals(OptionSource.PROPERTIES, c.sourceOf(DELAY));
        assertEquals(false, c.get(FLAG));
        assertEquals(OptionSource.SYSTEM_PROPERTY, c.sourceOf(FLAG));
        assertEquals(0.1, c.get(RATIO));
        assertEquals(OptionSource.ENVIRONMENT, c.sourceOf(RATIO));
    }

    @Test
    void parsesEveryType() throws SQLException {
        assertEquals(Duration.ofMinutes(1), resolveUrl("resilient.test.baseDelay", "1m").get(DELAY));
        assertEquals(Duration.ofMillis(250), resolveUrl("resilient.test.baseDelay", "250").get(DELAY));
        assertEquals(Duration.ofSeconds(30), resolveUrl("resilient.test.baseDelay", " 30s ").get(DELAY));
        assertEquals(Mode.SLOW, resolveUrl("resilient.test.mode", "SLOW").get(MODE));
        assertEquals(true, resolveUrl("resilient.test.flag", "TRUE").get(FLAG));
        assertEquals(1.0, resolveUrl("resilient.test.ratio", "1").get(RATIO));
        assertEquals(100, resolveUrl("resilient.test.maxAttempts", "100").get(ATTEMPTS));
    }

    @Test
    void unknownKeyNamesItAndSuggestsTheClosest() {
        SQLException e = assertThrows(SQLException.class, () -> resolveUrl("resilient.test.maxAtempts", "3"));
        assertEquals(OptionRegistry.UNKNOWN_OPTION_STATE, e.getSQLState());
        assertTrue(e.getMessage().contains("'resilient.test.maxAtempts'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'resilient.test.maxAttempts'"), e.getMessage());
        assertTrue(e.getMessage().contains("the URL query"), e.getMessage());
    }

    @Test
    void unknownKeysAreRejectedFromUrlPropertiesAndSystemProperties() {
        SQLException p = assertThrows(SQLException.class, () -> resolve(Map.of(), props("resilient.nope", "1"), new Properties(), Map.of()));
        assertTrue(p.getMessage().contains("connection Properties"), p.getMessage());
        SQLException s = assertThrows(SQLException.class, () -> resolve(Map.of(), null, props("resilient.nope", "1"), Map.of()));
        assertTrue(s.getMessage().contains("system property"), s.getMessage());
        // Case mistakes are still ours: caught, not passed to the real driver.
        assertThrows(SQLException.class, () -> resolve(Map.of(), props("Resilient.test.flag", "true"), new Properties(), Map.of()));
    }

    @Test
    void strayEnvironmentVariablesAreNamedOnceAndNeverStopAResolve() throws SQLException {
        List<LogRecord> logged = new ArrayList<>();
        StrayEnvironment once = new StrayEnvironment(capturing(logged));
        Map<String, String> env = new TreeMap<>(Map.of("RESILIENT_JAR", "x", "RESILIENT_HOME", "/opt",
                "RESILIENT_TEST_MAX_ATEMPTS", "s3cr3t-value", "RESILIENT_TEST_FLAG", "true",
                "RESILIENT_AGENT_SERVICE_HOST", "10.0.0.1", "PATH", "/usr/bin"));
        ResilientConfig c = new ConfigResolver(REGISTRY, new Properties(), env, once).resolve(Map.of(), null);
        assertEquals(true, c.get(FLAG), "a variable that is an option still takes effect");
        assertEquals(OptionSource.ENVIRONMENT, c.sourceOf(FLAG));
        assertEquals(OptionSource.DEFAULT, c.sourceOf(ATTEMPTS), "a near miss is not read as the option");
        new ConfigResolver(REGISTRY, new Properties(), env, once).resolve(Map.of(), null);

        assertEquals(1, logged.size(), "one WARNING per process, however many resolves: " + logged);
        assertEquals(Level.WARNING, logged.get(0).getLevel());
        String m = logged.get(0).getMessage();
        assertTrue(m.contains("RESILIENT_HOME, RESILIENT_JAR, RESILIENT_TEST_MAX_ATEMPTS"), m);
        assertTrue(m.contains("RESILIENT_TEST_MAX_ATEMPTS (did you mean RESILIENT_TEST_MAX_ATTEMPTS, option resilient.test.maxAttempts?)"), m);
        assertFalse(m.contains("RESILIENT_HOME (did you mean"), "no suggestion for a name that is nobody's typo: " + m);
        assertFalse(m.contains("RESILIENT_TEST_FLAG"), "an option is not a stray: " + m);
        assertFalse(m.contains("RESILIENT_AGENT_"), "the agent's variables are the agent's: " + m);
        for (String value : List.of("/opt", "s3cr3t-value", "10.0.0.1", "/usr/bin")) {
            assertFalse(m.contains(value), "no value is printed (" + value + "): " + m);
        }
    }

    /** A logger of its own that keeps what is logged to it. */
    private static Logger capturing(List<LogRecord> into) {
        Logger log = Logger.getLogger("test.stray." + System.nanoTime());
        log.setUseParentHandlers(false);
        log.addHandler(new Handler() {
            @Override public void publish(LogRecord r) { into.add(r); }
            @Override public void flush() {}
            @Override public void close() {}
        });
        return log;
    }

    @Test
    void noWarningWithoutStrays() throws SQLException {
        List<LogRecord> logged = new ArrayList<>();
        new ConfigResolver(REGISTRY, new Properties(), Map.of("RESILIENT_TEST_FLAG", "true", "HOME", "/root"),
                new StrayEnvironment(capturing(logged))).resolve(Map.of(), null);
        assertTrue(logged.isEmpty(), logged.toString());
    }

    @Test
    void aBadValueOfAnEnvironmentOptionIsStillAnError() {
        SQLException e = assertThrows(SQLException.class,
                () -> resolve(Map.of(), null, new Properties(), Map.of("RESILIENT_TEST_MAX_ATTEMPTS", "lots", "RESILIENT_HOME", "/opt")));
        assertEquals(OptionRegistry.BAD_VALUE_STATE, e.getSQLState());
        assertTrue(e.getMessage().contains("RESILIENT_TEST_MAX_ATTEMPTS") || e.getMessage().contains("resilient.test.maxAttempts"), e.getMessage());
    }

    @Test
    void badValuesNameKeyValueAndWhatIsAccepted() {
        SQLException range = assertThrows(SQLException.class, () -> resolveUrl("resilient.test.maxAttempts", "0"));
        assertEquals(OptionRegistry.BAD_VALUE_STATE, range.getSQLState());
        assertTrue(range.getMessage().contains("'0'") && range.getMessage().contains("resilient.test.maxAttempts")
                && range.getMessage().contains("from 1 to 100"), range.getMessage());
        SQLException word = assertThrows(SQLException.class,
                () -> resolve(Map.of(), props("resilient.test.flag", "yes"), new Properties(), Map.of()));
        assertTrue(word.getMessage().contains("true or false") && word.getMessage().contains("connection Properties"), word.getMessage());
        SQLException unit = assertThrows(SQLException.class, () -> resolveUrl("resilient.test.baseDelay", "5 parsecs"));
        assertTrue(unit.getMessage().contains("ms, s, m or h"), unit.getMessage());
        SQLException tooLong = assertThrows(SQLException.class, () -> resolveUrl("resilient.test.baseDelay", "2h"));
        assertTrue(tooLong.getMessage().contains("0ms to 1m"), tooLong.getMessage());
        SQLException choice = assertThrows(SQLException.class, () -> resolveUrl("resilient.test.mode", "medium"));
        assertTrue(choice.getMessage().contains("one of fast, slow"), choice.getMessage());
        SQLException nan = assertThrows(SQLException.class, () -> resolveUrl("resilient.test.ratio", "NaN"));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        SQLException empty = assertThrows(SQLException.class, () -> resolveUrl("resilient.test.maxAttempts", ""));
        assertTrue(empty.getMessage().contains("''"), empty.getMessage());
    }

    @Test
    void nonTextValueUnderOurKeyIsRejected() {
        Properties p = new Properties();
        p.put("resilient.test.maxAttempts", 3);
        SQLException e = assertThrows(SQLException.class, () -> resolve(Map.of(), p, new Properties(), Map.of()));
        assertTrue(e.getMessage().contains("java.lang.Integer"), e.getMessage());
    }

    @Test
    void strippedPropertiesKeepEverythingElse() {
        Properties defaults = props("user", "app", "resilient.test.flag", "true");
        Properties p = new Properties(defaults);
        p.setProperty("password", "pw");
        p.setProperty("resilient.test.maxAttempts", "3");
        p.put("socketTimeout", 10);
        Properties s = ConfigResolver.stripped(p);
        assertEquals("app", s.getProperty("user"));
        assertEquals("pw", s.getProperty("password"));
        assertEquals(10, s.get("socketTimeout"));
        assertNull(s.getProperty("resilient.test.maxAttempts"));
        assertNull(s.getProperty("resilient.test.flag"));
        assertTrue(ConfigResolver.stripped(null).isEmpty());
    }

    @Test
    void environmentNamesFollowTheOptionNames() {
        assertEquals("RESILIENT_TEST_MAX_ATTEMPTS", ATTEMPTS.environmentName());
        assertEquals("RESILIENT_ENABLED", ResilientOptions.ENABLED.environmentName());
    }

    @Test
    void secretLookingValuesAreNotEchoed() {
        Option<Integer> secretish = new Option<>("resilient.test.tokenCount", OptionType.integer(1, 2), 1, "1", "x");
        OptionRegistry r = new OptionRegistry(List.of(secretish));
        SQLException e = assertThrows(SQLException.class,
                () -> new ConfigResolver(r, new Properties(), Map.of()).resolve(Map.of("resilient.test.tokenCount", "hunter2"), null));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}
