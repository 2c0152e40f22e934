package dev.resilientjdbc.proxy;

import java.lang.reflect.Method;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Handler of the DatabaseMetaData proxy: it always speaks for the current physical connection, its
 * result sets and its connection lead back to proxies, and its calls (reads) survive a reconnect.
 */
final class MetaDataHandler extends JdbcHandler {
    private static final Method GET_META_DATA;

    static {
        try {
            GET_META_DATA = dev.resilientjdbc.replay.Reflective.accessible(java.sql.Connection.class.getMethod("getMetaData"));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionHandler connection;
    // The real metadata object last used: after the application closed the connection it answers as it would have.
    private volatile DatabaseMetaData last;

    MetaDataHandler(ConnectionHandler connection) {
        this.connection = connection;
    }

    /** The real metadata object the application's last getMetaData() returned. */
    void refresh(DatabaseMetaData real) {
        last = real;
    }

    @Override
    DatabaseMetaData delegate() throws SQLException {
        DatabaseMetaData cached = last;
        if (cached != null && connection.logical().isClosed()) {
            return cached;
        }
        DatabaseMetaData md = connection.logical().physical().getMetaData();
        last = md;
        return md;
    }

    @Override
    Object describe() {
        return "DatabaseMetaData of " + connection.logical().lastPhysical();
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        Object result = answer(info, method, args);
        return info.special == MethodInfo.Special.GET_URL ? applicationUrl(result) : result;
    }

    /**
     * getURL names the URL the application connected with: the real driver's answer (so a password it
     * leaves out stays out) under our prefix, not the real driver's {@code jdbc:postgresql:} URL.
     */
    static Object applicationUrl(Object real) {
        if (real instanceof String url && url.startsWith("jdbc:") && !url.startsWith(dev.resilientjdbc.config.ResilientUrl.PREFIX)) {
            return dev.resilientjdbc.config.ResilientUrl.PREFIX + url.substring("jdbc:".length());
        }
        return real;
    }

    private Object answer(MethodInfo info, Method method, Object[] args) throws Throwable {
        if (info.special == MethodInfo.Special.GET_CONNECTION) {
            // The proxy where the real driver names a connection, null where it says null (SQLite after close).
            return callOn(delegate(), method, args) == null ? null : connection.proxy();
        }
        if (connection.logical().isClosed()) {
            // Closed by the application: the metadata object it held answers as the real one would.
            Object r = callOn(delegate(), method, args);
            return r instanceof ResultSet
                    ? ProxyFactory.resultSet(r, connection, null,
                    connection.logical().lastPhysical())
                    : r;
        }
        java.sql.Connection[] on = {null};
        Object result = connection.logical().retrier().statement(() -> {
            on[0] = connection.logical().physical();
            DatabaseMetaData md = (DatabaseMetaData) callOn(on[0], GET_META_DATA, null);
            return callOn(md, method, args);
        }, dev.resilientjdbc.connection.Calls.withoutEffectGate(connection.logical(), on)); // metadata reads are calls without effect
        if (result instanceof ResultSet) {
            return ProxyFactory.resultSet(result, connection, null, on[0]);
        }
        return result;
    }
}
