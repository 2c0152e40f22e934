package dev.resilientjdbc.pool;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What the embedded HikariCP pool opens its connections through: the real driver, behind our own
 * connect retries. HikariCP's connection adder backs off by doubling up to five seconds when a
 * connect fails, so after an outage of a few seconds a pool would come back up to seconds after the
 * server did; with the retries here (never more than {@code resilient.connect.maxDelay} apart) the
 * adder sees a failure only once the connect budget is spent.
 */
final class PhysicalDataSource implements DataSource {
    private final dev.resilientjdbc.connection.PhysicalOpener opener;
    private final String description;
    private volatile PrintWriter logWriter;
    private volatile int loginTimeoutSeconds;

    PhysicalDataSource(dev.resilientjdbc.connection.PhysicalOpener opener, String description) {
        this.opener = opener;
        this.description = description;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return opener.open();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        // The pool is configured without credentials of its own: they travel with the real URL and properties.
        throw new SQLFeatureNotSupportedException("resilient-jdbc's pool connects with the credentials of its target only", "0A000");
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    /** HikariCP sets its connection timeout here; the connect budget is resilient.connect.maxDuration. */
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
        return Logger.getLogger("dev.resilientjdbc.pool");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "resilient-jdbc physical connections to " + description;
    }
}
