package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.testkit.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
 * as the README tells it to on undeploy; then nothing may keep its class loader reachable — the
 * container must be able to unload it.
 */
@PgTest
class UnloadedDriverClassLoaderTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @Test
    void deregisterLetsTheApplicationsClassLoaderGo() throws Exception {
        List<URL> pgjdbc = new ArrayList<>();
        List<URL> rest = new ArrayList<>();
        // The web application holds resilient-jdbc and its libraries, nothing else (no other JDBC driver of its own).
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            URL url = Path.of(entry).toUri().toURL();
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("postgresql-") && name.endsWith(".jar")) {
                pgjdbc.add(url);
            } else if (entry.replace('\\', '/').endsWith("driver/target/classes") || name.startsWith("resilient-jdbc-")
                    || name.matches("(failsafe|HikariCP|metrics-core|metrics-jmx|metrics-healthchecks|simpleclient|slf4j-api).*\\.jar")) {
                rest.add(url);
            }
        }
        assertTrue(!pgjdbc.isEmpty(), "pgjdbc is on the test class path");
        try (URLClassLoader container = new URLClassLoader("container", pgjdbc.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
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
            }
        }
    }

    /** Everything the application does, in a method of its own so that no local keeps its loader. */
    private static WeakReference<ClassLoader> useAndUndeploy(List<URL> appClassPath, ClassLoader container) throws Exception {
        URLClassLoader app = new URLClassLoader("webapp", appClassPath.toArray(new URL[0]), container);
        Class<?> driverClass = Class.forName("dev.resilientjdbc.ResilientDriver", true, app);
        Driver driver = (Driver) driverClass.getDeclaredConstructor().newInstance();
        Properties info = new Properties();
        info.setProperty("user", "postgres");
        String url = "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database();
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
        driverClass.getMethod("deregister").invoke(null);
        WeakReference<ClassLoader> ref = new WeakReference<>(app);
        app.close();
        return ref;
    }
}
