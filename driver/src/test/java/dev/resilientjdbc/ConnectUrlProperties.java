package dev.resilientjdbc;

import dev.resilientjdbc.proxy.ResilientProxy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever string an application passes, the driver answers null, false or an SQLException — nothing else. */
class ConnectUrlProperties {
    private final ResilientDriver driver = new ResilientDriver();

    @Provide
    Arbitrary<String> urls() {
        Arbitrary<String> noise = Arbitraries.strings().all().ofMaxLength(60);
        Arbitrary<String> tails = Arbitraries.strings().withChars("abcdefgpqrstuvwxyz:/?&=%.;@-_ 0123456789resilient").ofMaxLength(40);
        return Arbitraries.oneOf(
                noise,
                tails.map(t -> "jdbc:resilient:" + t),
                tails.map(t -> "jdbc:resilient:postgresql://127.0.0.1:1/db?" + t),
                tails.map(t -> "jdbc:resilient:postgresql://127.0.0.1:1/" + t),
                tails.map(t -> "jdbc:resilient:postgresql://127.0.0.1:1/db?resilient." + t),
                tails.map(t -> "jdbc:" + t));
    }

    @Property(tries = 400)
    void connectReturnsNullOrThrowsSqlException(@ForAll("urls") String url) {
        // SQLite creates a file for any name it is given: keep random names away from the disk.
        Assume.that(!url.contains("sqlite:"));
        Properties p = new Properties();
        p.setProperty("connectTimeout", "1");
        p.setProperty("loginTimeout", "1");
        // Port 1 refuses at once; without this the driver would rightly wait out its connect budget.
        p.setProperty("resilient.connect.maxDuration", "0");
        try (Connection c = driver.connect(url, p)) {
            // Nothing here can open (port 1 is closed); were it to, it must be ours.
            assertTrue(c == null || c instanceof ResilientProxy, url);
        } catch (SQLException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty(), url);
        }
    }

    @Property(tries = 1000)
    void acceptsUrlNeverThrows(@ForAll("urls") String url) {
        boolean accepted = driver.acceptsURL(url);
        assertTrue(!accepted || url.startsWith("jdbc:resilient:"), url);
    }
}
