package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.lang.ref.WeakReference;
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

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, point 8: the servlet-container layout. pgjdbc sits in a parent class loader (the
 * container's lib), resilient-jdbc in a web application's own loader. The application connects,
 * uses statements and result sets, closes everything and calls {@code ResilientDriver.deregister()},
 * as docs/USAGE.md tells it to on undeploy; then nothing may keep its class loader reachable — the
 * container must be able to unload it. The application uses everything a target can start (pool,
 * metrics with JMX, health checks, the HTTP endpoint), all of which the driver's target registry owns.
 */
@PgTest
class UnloadedDriverClassLoaderTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    /**
     * {@code sharedMetrics}: Dropwizard Metrics (registries, health checks, JMX) sits in the container's lib
     * too, so its shared registries outlive the application: every gauge, timer and health check the
     * application's targets registered there must be removed, or they would hold its loader.
     */
    @ParameterizedTest(name = "Dropwizard Metrics in the container: {0}")
    @ValueSource(booleans = {false, true})
    void deregisterLetsTheApplicationsClassLoaderGo(boolean sharedMetrics) throws Exception {
        List<URL> pgjdbc = new ArrayList<>();
        List<URL> rest = new ArrayList<>();
        // The web application holds resilient-jdbc and its libraries, nothing else (no other JDBC driver of its own).
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            URL url = Path.of(entry).toUri().toURL();
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("postgresql-") && name.endsWith(".jar")
                    || sharedMetrics && name.matches("(metrics-core|metrics-jmx|metrics-healthchecks|slf4j-api)-.*\\.jar")) {
                pgjdbc.add(url);
            } else if (entry.replace('\\', '/').endsWith("driver/target/classes")
                    || name.startsWith("resilient-jdbc-") && !name.endsWith("-tests.jar") // the driver's test jar is not the application's
                    || name.matches("(failsafe|HikariCP|metrics-core|metrics-jmx|metrics-healthchecks|prometheus-metrics|slf4j-api).*\\.jar")) {
                rest.add(url);
            }
        }
        assertTrue(!pgjdbc.isEmpty(), "pgjdbc is on the test class path");
        try (URLClassLoader container = new URLClassLoader("container", pgjdbc.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            Object sharedRegistries = sharedMetrics ? Class.forName("com.codahale.metrics.SharedMetricRegistries", true, container) : null;
            // The container's pgjdbc registers itself with DriverManager once its class is initialised. A connection of
            // the container's own starts pgjdbc's cleaner thread first, as in a running container: a thread started
            // while web-application code is on the stack would capture its protection domain (JDK 17) for as long
            // as it runs, whatever the application does.
            Driver containerDriver = (Driver) Class.forName("org.postgresql.Driver", true, container).getDeclaredConstructor().newInstance();
            Properties info = new Properties();
            info.setProperty("user", "postgres");
            try (Connection own = containerDriver.connect(pg.jdbcUrl(), info)) {
                WeakReference<ClassLoader> app = useAndUndeploy(rest, container);
                long deadline = System.nanoTime() + 20_000_000_000L;
                List<byte[]> pressure = new ArrayList<>();
                while (app.get() != null && System.nanoTime() < deadline) {
                    System.gc();
                    pressure.add(new byte[1 << 20]); // soft references (reflection data) go under pressure
                    if (pressure.size() > 64) {
                        pressure.clear();
                    }
                    Thread.sleep(50);
                }
                assertNull(app.get(), "the web application's class loader is still reachable after deregister()");
                if (sharedMetrics) {
                    // The container's registries are still there, with nothing of the application's in them.
                    Object registry = ((Class<?>) sharedRegistries).getMethod("getOrCreate", String.class).invoke(null, "resilient-jdbc");
                    java.util.Set<?> names = (java.util.Set<?>) registry.getClass().getMethod("getNames").invoke(registry);
                    assertTrue(names.stream().noneMatch(n -> n.toString().startsWith("resilient.")), "left in the container's registry: " + names);
                }
            }
        }
    }

    /** Everything the application does, in a method of its own so that no local keeps its loader. */
    private static WeakReference<ClassLoader> useAndUndeploy(List<URL> appClassPath, ClassLoader container) throws Exception {
        URLClassLoader app = new URLClassLoader("webapp", appClassPath.toArray(new URL[0]), container);
        // A container runs a web application's requests with its loader as the context loader (HikariCP loads
        // its metrics tracker through it), and takes it back afterwards.
        Thread.currentThread().setContextClassLoader(app);
        try {
            return useAndUndeploy(app, url(), port());
        } finally {
            Thread.currentThread().setContextClassLoader(UnloadedDriverClassLoaderTest.class.getClassLoader());
        }
    }

    private static String url() {
        return "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database();
    }

    private static int port() throws java.io.IOException {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private static WeakReference<ClassLoader> useAndUndeploy(URLClassLoader app, String base, int port) throws Exception {
        Class<?> driverClass = Class.forName("dev.resilientjdbc.ResilientDriver", true, app);
        Driver driver = (Driver) driverClass.getDeclaredConstructor().newInstance();
        Properties info = new Properties();
        info.setProperty("user", "postgres");
        // Everything a target can start: a pool, metrics with a JMX reporter, health checks, the HTTP endpoint.
        String url = base + "?resilient.pool=true&resilient.metrics.jmx=true&resilient.http.port=" + port;
        for (int i = 0; i < 3; i++) {
            try (Connection c = driver.connect(url, info); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
                c.setAutoCommit(false);
                try (Statement w = c.createStatement()) {
                    w.execute("SELECT 2");
                }
                c.commit();
            }
        }
        // A plain socket: an HTTP client would start threads of its own with the application's loader as context.
        String health;
        try (java.net.Socket http = new java.net.Socket("127.0.0.1", port)) {
            http.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            health = new String(http.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(health.contains("reachable"), "the endpoint served the target's health: " + health);
        Object targets = driverClass.getMethod("targets").invoke(null);
        assertTrue(!((java.util.Map<?, ?>) targets.getClass().getMethod("pools").invoke(targets)).isEmpty(), "the target's pool runs");
        driverClass.getMethod("deregister").invoke(null);
        WeakReference<ClassLoader> ref = new WeakReference<>(app);
        app.close();
        return ref;
    }
}
