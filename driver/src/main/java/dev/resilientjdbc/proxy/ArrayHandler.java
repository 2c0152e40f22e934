package dev.resilientjdbc.proxy;


import java.lang.reflect.Method;
import java.sql.Array;
import java.sql.ResultSet;

/**
 * Handler of java.sql.Array proxies: only so that the result sets an Array hands out lead back,
 * like every other, to the application's connection proxy. Everything else passes through, and an
 * Array proxy given back to the driver (setArray, setObject, updateArray) is unwrapped first.
 */
final class ArrayHandler extends JdbcHandler {
    private final Array real;
    private final ConnectionHandler connection;

    ArrayHandler(Array real, ConnectionHandler connection) {
        this.real = real;
        this.connection = connection;
    }

    @Override
    Array delegate() {
        return real;
    }

    @Override
    Object describe() {
        return real;
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        Object result = callOn(real, method, args);
        if (result instanceof ResultSet) {
            return ProxyFactory.resultSet(result, connection, null,
                    connection.logical().lastPhysical());
        }
        return result;
    }
}
