package dev.resilientjdbc.proxy;

import dev.resilientjdbc.connection.LogicalConnection;
import dev.resilientjdbc.connection.LogicalStatement;
import dev.resilientjdbc.connection.StatementRecipe;
import dev.resilientjdbc.replay.ResultSetTrack;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;

/** The one place proxies are made. Each proxy gets a fresh handler and the shape of its real class. */
public final class ProxyFactory {
    private ProxyFactory() {}

    /** Wraps the logical connection the driver has just opened. */
    public static Connection connection(LogicalConnection logical) {
        return (Connection) bind(new ConnectionHandler(logical), logical.lastPhysical().getClass());
    }

    static Statement statement(LogicalStatement logical, ConnectionHandler connection) {
        StatementHandler handler = new StatementHandler(logical, connection);
        bind(handler, logical.lastPhysical().getClass());
        return handler.proxy();
    }

    /** A statement the real driver made by itself (behind a metadata result set): passed through, never re-created. */
    static StatementHandler foreignStatement(Statement real, ConnectionHandler connection) {
        LogicalStatement logical = new LogicalStatement(connection.logical(), StatementRecipe.foreign(), real);
        StatementHandler handler = new StatementHandler(logical, connection);
        bind(handler, real.getClass());
        return handler;
    }

    /** {@code source}: the real result set, or the {@link ResultSetTrack} of one a transaction records. */
    static ResultSet resultSet(Object source, ConnectionHandler connection, StatementHandler statement, Connection owner) {
        return (ResultSet) resultSetHandler(source, connection, statement, owner).proxy;
    }

    /** A new result-set proxy's handler (its proxy in {@code proxy}), for callers that keep both. */
    static ResultSetHandler resultSetHandler(Object source, ConnectionHandler connection, StatementHandler statement,
                                             Connection owner) {
        ResultSetHandler handler = new ResultSetHandler(source, connection, statement, owner);
        bind(handler, ResultSetHandler.real(source).getClass());
        return handler;
    }

    static DatabaseMetaData metaData(ConnectionHandler connection) throws java.sql.SQLException {
        return (DatabaseMetaData) bind(new MetaDataHandler(connection), connection.logical().physical().getMetaData().getClass());
    }

    static java.sql.Array array(java.sql.Array real, ConnectionHandler connection) {
        return (java.sql.Array) bind(new ArrayHandler(real, connection), real.getClass());
    }

    /** Our proxies among {@code args} replaced by the real objects they stand for (Arrays given back to the driver). */
    static Object[] realArguments(Object[] args) throws java.sql.SQLException {
        if (args == null) {
            return null;
        }
        Object[] out = args;
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof dev.resilientjdbc.proxy.ResilientProxy && args[i] instanceof java.sql.Array) {
                if (out == args) {
                    out = args.clone();
                }
                out[i] = ((JdbcHandler) java.lang.reflect.Proxy.getInvocationHandler(args[i])).delegate();
            }
        }
        return out;
    }

    private static Object bind(JdbcHandler handler, Class<?> realClass) {
        Object proxy = ProxyShape.of(realClass).newProxy(handler);
        handler.proxy = proxy;
        return proxy;
    }

    /** Takes the proxy shapes off the real driver's classes: part of ResilientDriver.deregister(). */
    public static void forgetClasses() {
        ProxyShape.forgetAll();
    }
}
