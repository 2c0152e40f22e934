package dev.resilientjdbc.config;

import dev.resilientjdbc.ResilientDriver;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated options — huge strings, unicode, escapes, other scripts' digits, number
 * suffixes, overflowing durations, clashing combinations — in the URL or the Properties: connect
 * works or is an SQLException with a clear message, within a second, never an unchecked exception.
 */
class OptionFuzzProperties {
    private static final String URL = "jdbc:resilient:sqlite::memory:";
    // Not fuzzed: a port would open a socket, and a pool's size starts that many connections at once.
    private static final Set<String> FIXED = Set.of("resilient.http.port", "resilient.http.bind",
            "resilient.pool.maxSize", "resilient.pool.minIdle");
    private static final List<String> KEYS = ResilientOptions.REGISTRY.all().stream().map(Option::key)
            .filter(k -> !FIXED.contains(k)).collect(Collectors.toList());

    /** One option as given: key, value and whether it travels in the URL (encoded or raw) or in Properties. */
    record Given(String key, String value, int route) {}

    @BeforeContainer
    static void warmUp() throws SQLException {
        new ResilientDriver().connect(URL, new Properties()).close(); // class loading and sqlite's native library
    }

    @AfterContainer
    static void pools() {
        ResilientDriver.targets().close();
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.oneOf(Arbitraries.of(KEYS), Arbitraries.of(KEYS).map(OptionFuzzProperties::typo),
                Arbitraries.of("resilient.", "resilient.RETRY.maxAttempts", "resilient.retry.maxAttempts ", "resilient.ｒetry"));
    }

    private static String typo(String key) {
        return key.substring(0, key.length() - 2) + key.charAt(key.length() - 1);
    }

    @Provide
    Arbitrary<String> values() {
        Arbitrary<String> samples = Arbitraries.of("0", "1", "2", "5", "10", "1000", "250ms", "2s", "30s", "1m", "30m", "1h", "24h",
                "true", "false", "random", "linear", "fixed", "exponential", "auto", "sqlite", "0.05", "0.5", "1.1", "10.0",
                "57014=FATAL", "08=connection,code:5=busy", "resilient-jdbc", "9999999999999999h", "-1", "+3", "");
        Arbitrary<String> numbers = Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf), Arbitraries.integers().between(0, 100_000).map(String::valueOf),
                Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of("", "ms", "s", "m", "h", "d", " s", "S"))
                        .as((n, u) -> n + u));
        Arbitrary<String> strange = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(24),
                Arbitraries.strings().withChars("0123456789０１２３٣५.+-exXpPdfLn%&;=#?, ").ofMaxLength(12),
                Arbitraries.strings().ofMinLength(1000).ofMaxLength(20_000));
        Arbitrary<String> mutated = Combinators.combine(samples, Arbitraries.integers().between(0, 9), Arbitraries.chars())
                .as(OptionFuzzProperties::mutate);
        return Arbitraries.oneOf(samples, numbers, strange, mutated);
    }

    private static String mutate(String v, int how, char c) {
        switch (how) {
            case 0: return v + c;
            case 1: return c + v;
            case 2: return v.replace('1', '１').replace('0', '٠');
            case 3: return "0x" + v;
            case 4: return v + "d";
            case 5: return v + "f";
            case 6: return v + "%26" + v;
            case 7: return v.repeat(500);
            case 8: return " \t" + v + "\u00a0";
            default: return v + ";" + v + "&" + v;
        }
    }

    @Provide
    Arbitrary<List<Given>> options() {
        Arbitrary<Given> one = Combinators.combine(keys(), values(), Arbitraries.integers().between(0, 2)).as(Given::new);
        return one.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 300)
    void connectWorksOrSaysWhatIsWrongQuickly(@ForAll("options") List<Given> options) {
        StringBuilder url = new StringBuilder(URL);
        Properties info = new Properties();
        info.setProperty("resilient.pool.maxSize", "2");
        info.setProperty("resilient.pool.minIdle", "0");
        char sep = '?';
        for (Given g : options) {
            if (g.route() == 2 || g.route() == 1 && (g.value().contains("&") || g.value().contains("#"))) {
                info.setProperty(g.key(), g.value());
            } else {
                String v = g.route() == 0 ? URLEncoder.encode(g.value(), StandardCharsets.UTF_8) : g.value();
                url.append(sep).append(URLEncoder.encode(g.key(), StandardCharsets.UTF_8)).append('=').append(v);
                sep = '&';
            }
        }
        long t0 = System.nanoTime();
        try (Connection c = new ResilientDriver().connect(url.toString(), info)) {
            assertTrue(c != null && !c.isClosed(), "a connection or an SQLException");
        } catch (SQLException e) {
            String m = e.getMessage();
            assertTrue(e.getSQLState() != null && m != null && m.contains("resilient."), "a clear message: " + e);
            assertTrue(m.length() < 3000, () -> "a message one can read: " + m.length() + " characters: "
                    + m.substring(0, 300) + " … " + m.substring(m.length() - 300));
        } catch (RuntimeException | Error e) {
            fail("unchecked " + e + " for " + url + " " + info, e);
        } finally {
            ResilientDriver.targets().close();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 1000, "took " + ms + " ms for " + url);
    }
}
