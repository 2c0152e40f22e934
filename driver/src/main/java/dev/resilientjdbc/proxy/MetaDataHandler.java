package dev.resilientjdbc.proxy;

import java.lang.reflect.Method;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;

/** Handler of DatabaseMetaData proxies: its result sets and its connection lead back to proxies. */
final class MetaDataHandler extends JdbcHandler {
    private final DatabaseMetaData real;
    private final ConnectionHandler connection;

    MetaDataHandler(DatabaseMetaData real, ConnectionHandler connection) {
        this.real = real;
        this.connection = connection;
    }

    @Override
    DatabaseMetaData delegate() {
        return real;
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        if (info.special == MethodInfo.Special.GET_CONNECTION) {
            call(method, args);
            return connection.proxy();
        }
        Object result = call(method, args);
        if (result instanceof ResultSet) {
            return ProxyFactory.resultSet((ResultSet) result, connection, null);
        }
        return result;
    }
}
