package dev.resilientjdbc.it.legacy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.util.Properties;

/**
 * A legacy app as a servlet container runs it: the PostgreSQL driver comes from the app's own
 * {@link URLClassLoader} (whose parent is the platform loader, so it sees nothing of the class
 * path), is called directly through {@code Driver.connect}, and one connection is held for life.
 * Args: url runId minOps driverJar.
 */
public final class IsolatedDriverApp {
    private IsolatedDriverApp() {}

    public static void main(String[] args) throws Exception {
        URL jar = Path.of(args[3]).toUri().toURL();
        try (URLClassLoader webapp = new URLClassLoader("webapp", new URL[]{jar}, ClassLoader.getPlatformClassLoader())) {
            Driver driver = (Driver) Class.forName("org.postgresql.Driver", true, webapp).getDeclaredConstructor().newInstance();
            if (driver.getClass().getClassLoader() != webapp) {
                throw new IllegalStateException("the driver did not come from the app's own loader");
            }
            Connection held = driver.connect(args[0], new Properties());
            System.out.println("LOADER " + driver.getClass().getClassLoader().getName());
            LegacyWorkload.run(new LegacyWorkload.ConnectionSource() {
                @Override
                public Connection get() {
                    return held;
                }

                @Override
                public void done(Connection c) {
                    // kept for the next request
                }

                @Override
                public void close() throws Exception {
                    held.close();
                }
            }, args[1], Integer.parseInt(args[2]));
        }
    }
}
