package dev.resilientjdbc;

import dev.resilientjdbc.config.ResilientUrl;
import dev.resilientjdbc.config.UrlMasking;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * resilient-jdbc as a {@link DataSource} bean, for frameworks and containers that are configured
 * with one (for example Spring's {@code spring.datasource.type}): set {@link #setUrl url}
 * ({@code jdbc:resilient:postgresql://...}), optionally {@link #setUser user},
 * {@link #setPassword password} and further connection {@link #setProperty properties}, then call
 * {@link #getConnection()}. The same options and behaviour as the driver; with
 * {@code resilient.pool=true} in the URL it hands out pooled connections without going through
 * DriverManager. The target is worked out on the first connect after a change of settings.
 */
public final class ResilientDataSource implements DataSource {
    private final ReentrantLock lock = new ReentrantLock();
    private final Properties properties = new Properties();
    private volatile String url;
    private volatile Assembly.PhysicalSource target;
    private volatile PrintWriter logWriter;
    private volatile int loginTimeoutSeconds;

    public ResilientDataSource() {}

    public ResilientDataSource(String url) {
        setUrl(url);
    }

    /** A {@code jdbc:resilient:} URL; checked when a connection is asked for. */
    public void setUrl(String url) {
        lock.lock();
        try {
            this.url = url;
            this.target = null;
        } finally {
            lock.unlock();
        }
    }

    public String getUrl() {
        return url;
    }

    public void setUser(String user) {
        setProperty("user", user);
    }

    public void setPassword(String password) {
        setProperty("password", password);
    }

    /** A connection property for the real driver, or a {@code resilient.*} option; null removes it. */
    public void setProperty(String key, String value) {
        lock.lock();
        try {
            if (value == null) {
                properties.remove(key);
            } else {
                properties.setProperty(key, value);
            }
            this.target = null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Assembly.PhysicalSource t = target;
        return t != null ? t.open() : resolveAndConnect();
    }

    private Connection resolveAndConnect() throws SQLException {
        String u;
        Properties p;
        lock.lock();
        try {
            u = url;
            p = (Properties) properties.clone();
        } finally {
            lock.unlock();
        }
        requireResilientUrl(u);
        Assembly.PhysicalSource t = ResilientDriver.resolve(u, p);
        Connection first = t.open();
        lock.lock();
        try {
            if (u.equals(url) && p.equals(properties)) {
                target = t; // kept once it has connected, and only if nobody changed the settings meanwhile
            }
        } finally {
            lock.unlock();
        }
        return first;
    }

    /** A connection as another user: the driver's own path, with that user's credentials. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        Properties p;
        String u;
        lock.lock();
        try {
            u = url;
            p = (Properties) properties.clone();
        } finally {
            lock.unlock();
        }
        if (username != null) {
            p.setProperty("user", username);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        requireResilientUrl(u);
        return new ResilientDriver().connect(u, p);
    }

    private static void requireResilientUrl(String u) throws SQLException {
        if (u == null || !u.startsWith(ResilientUrl.PREFIX)) {
            throw new SQLException("ResilientDataSource needs a URL starting with " + ResilientUrl.PREFIX
                    + " (for example jdbc:resilient:postgresql://host/db); it was "
                    + (u == null ? "not set" : "'" + UrlMasking.mask(u) + "'"), "08001");
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    /** Kept for callers that ask; connect budgets are {@code resilient.connect.maxDuration} and the real driver's own timeouts. */
    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger(ResilientDriver.LOGGER_NAME);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface != null && iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("ResilientDataSource does not wrap " + (iface == null ? "null" : iface.getName()), "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface != null && iface.isInstance(this);
    }

    @Override
    public String toString() {
        String u = url;
        return "ResilientDataSource[" + (u == null ? "no URL" : UrlMasking.mask(u)) + "]";
    }
}
