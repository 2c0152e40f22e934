package dev.resilientjdbc.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Micrometer is an optional dependency: the driver, loaded from the test class path less every Micrometer
 * jar, connects, runs statements and keeps its Dropwizard metrics — and loads no class of the Micrometer
 * binding, with {@code resilient.metrics.micrometer} off (the normal path) or on (a WARNING then says why
 * nothing is published to Micrometer).
 */
class MicrometerAbsentTest {
    /** Loads everything but the JDK itself, remembering each class it defined. */
    static final class Recording extends URLClassLoader {
        final Set<String> defined = ConcurrentHashMap.newKeySet();

        Recording(URL[] urls) {
            super("no-micrometer", urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            Class<?> c = super.findClass(name);
            defined.add(name);
            return c;
        }
    }

    private static Recording withoutMicrometer() throws MalformedURLException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isEmpty() && !e.contains(File.separator + "micrometer")) {
                urls.add(new File(e).toURI().toURL());
            }
        }
        return new Recording(urls.toArray(new URL[0]));
    }

    @Test
    void theDriverWorksAndLoadsNothingOfTheBindingWithoutMicrometer(@TempDir Path dir) throws Exception {
        List<String> warnings = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        Logger log = Logger.getLogger("dev.resilientjdbc.metrics");
        log.addHandler(h);
        try (Recording loader = withoutMicrometer()) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader),
                    "Micrometer is really absent");
            Class.forName("org.sqlite.JDBC", true, loader); // registers the real driver for callers of this loader
            Class<?> driverClass = Class.forName("dev.resilientjdbc.ResilientDriver", true, loader);
            Driver driver = (Driver) driverClass.getDeclaredConstructor().newInstance();
            String url = "jdbc:resilient:sqlite:" + dir.resolve("a.db");
            try {
                assertEquals(2, run(driver, url), "the normal path works without Micrometer");
                assertTrue(loader.defined.contains("dev.resilientjdbc.metrics.MicrometerHook"), "the connect path passed the hook");
                assertTrue(loader.defined.contains("dev.resilientjdbc.metrics.ResilientMetrics"), "Dropwizard metrics bound");
                assertTrue(noBinding(loader), "nothing of the binding loaded: " + loader.defined);
                assertEquals(List.of(), warnings);

                assertEquals(2, run(driver, url + "?resilient.metrics.micrometer=true"), "asked for Micrometer, still works");
                assertTrue(noBinding(loader), "nothing of the binding loaded: " + loader.defined);
                assertEquals(1, warnings.size(), warnings.toString());
                assertTrue(warnings.get(0).contains("resilient.metrics.micrometer=true") && warnings.get(0).contains("not on the class path"),
                        warnings.toString());
            } finally {
                driverClass.getMethod("deregister").invoke(null);
            }
        } finally {
            log.removeHandler(h);
        }
    }

    private static boolean noBinding(Recording loader) {
        return loader.defined.stream().noneMatch(n -> n.startsWith("dev.resilientjdbc.metrics.micrometer.") || n.startsWith("io.micrometer."));
    }

    private static int run(Driver driver, String url) throws Exception {
        try (Connection c = driver.connect(url, new Properties()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t(x int)");
            s.execute("DELETE FROM t");
            s.executeUpdate("INSERT INTO t VALUES (1)");
            s.executeUpdate("INSERT INTO t VALUES (2)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
