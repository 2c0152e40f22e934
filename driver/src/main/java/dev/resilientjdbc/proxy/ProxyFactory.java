package dev.resilientjdbc.proxy;

import dev.resilientjdbc.retry.Retrier;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;

/** The one place proxies are made. Each proxy gets a fresh handler and the shape of its real class. */
public final class ProxyFactory {
    private ProxyFactory() {}

    /** Wraps a real connection the driver has just opened. */
    public static Connection connection(Connection real, Retrier retrier) {
        return (Connection) bind(new ConnectionHandler(real, retrier), real);
    }

    static Statement statement(Statement real, ConnectionHandler connection) {
        return statementHandler(real, connection).proxy();
    }

    static StatementHandler statementHandler(Statement real, ConnectionHandler connection) {
        StatementHandler handler = new StatementHandler(real, connection);
        bind(handler, real);
        return handler;
    }

    static ResultSet resultSet(ResultSet real, ConnectionHandler connection, StatementHandler statement) {
        return (ResultSet) bind(new ResultSetHandler(real, connection, statement), real);
    }

    static DatabaseMetaData metaData(DatabaseMetaData real, ConnectionHandler connection) {
        return (DatabaseMetaData) bind(new MetaDataHandler(real, connection), real);
    }

    private static Object bind(JdbcHandler handler, Object real) {
        Object proxy = ProxyShape.of(real.getClass()).newProxy(handler);
        handler.proxy = proxy;
        return proxy;
    }
}
