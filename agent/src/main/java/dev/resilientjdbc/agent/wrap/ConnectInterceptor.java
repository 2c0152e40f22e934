package dev.resilientjdbc.agent.wrap;

import dev.resilientjdbc.agent.boot.ConnectHook;
import dev.resilientjdbc.agent.config.AgentSettings;

import javax.sql.DataSource;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Decides, at each intercepted connect, whether to hand out a resilient connection, and builds it
 * with a physical opener that calls the very same real method again — inside a raw section, so
 * that call runs unchanged instead of being wrapped a second time.
 */
public final class ConnectInterceptor implements ConnectHook.Handler {
    // The application's own (unshaded) resilient-jdbc driver: its physical connects are left alone.
    // Built at run time: the shade plugin would otherwise relocate the literal to our shaded copy.
    private static final String APP_RESILIENT_DRIVER = String.join(".", "dev", "resilientjdbc", "ResilientDriver");

    private final AgentSettings settings;
    private final ResilientConnections connections;

    public ConnectInterceptor(AgentSettings settings) {
        this.settings = settings;
        this.connections = new ResilientConnections(settings.resolver());
    }

    @Override
    public Object open(int site, Object target, Object first, Object second) throws Exception {
        switch (site) {
            case ConnectHook.DRIVER_CONNECT:
                return driverConnect((Driver) target, (String) first, (Properties) second);
            case ConnectHook.DATA_SOURCE:
            case ConnectHook.DATA_SOURCE_USER:
                return dataSource(site, (DataSource) target, (String) first, (String) second);
            default:
                return null;
        }
    }

    private Connection driverConnect(Driver driver, String url, Properties info) throws SQLException {
        // DriverManager offers every URL to every driver: only a URL this driver takes is ours to wrap.
        if (url == null || !settings.covers(url) || !driver.acceptsURL(url) || calledByAppResilientDriver()) {
            return null;
        }
        return connections.open(url, info, driver, (realUrl, physicalInfo) -> raw(() -> driver.connect(realUrl, physicalInfo)));
    }

    private Connection dataSource(int site, DataSource ds, String user, String password) throws SQLException {
        String url = urlOf(ds);
        if (url == null || !settings.covers(url) || calledByAppResilientDriver()) {
            return null;
        }
        Properties info = new Properties();
        if (user != null) {
            info.setProperty("user", user);
        }
        if (site == ConnectHook.DATA_SOURCE) {
            return connections.open(url, info, () -> raw(ds::getConnection));
        }
        return connections.open(url, info, () -> raw(() -> ds.getConnection(user, password)));
    }

    private static Connection raw(dev.resilientjdbc.connection.PhysicalOpener real) throws SQLException {
        ConnectHook.beginRaw();
        try {
            return real.open();
        } finally {
            ConnectHook.endRaw();
        }
    }

    private static boolean calledByAppResilientDriver() {
        // resilient.pool's HikariCP opens physical connections on its own threads, outside any driver frame.
        // (The walker is got here, not in a static field, to keep StackWalker's set-up out of premain.)
        return Thread.currentThread().getName().startsWith("resilient-pool-")
                || StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getClassName().equals(APP_RESILIENT_DRIVER)));
    }

    private static String urlOf(DataSource ds) {
        for (String getter : new String[]{"getUrl", "getURL"}) {
            try {
                Method m = ds.getClass().getMethod(getter);
                Object url = m.invoke(ds);
                if (url instanceof String) {
                    return (String) url;
                }
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // not this getter; try the next
            }
        }
        return null;
    }
}
