package dev.resilientjdbc.proxy;

import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.Statement;

/** Handler of Statement, PreparedStatement and CallableStatement proxies. */
final class StatementHandler extends JdbcHandler {
    private final Statement real;
    private final ConnectionHandler connection;
    // getResultSet() twice gives the same object on the real drivers; the same proxy here.
    private ResultSet lastReal;
    private ResultSet lastProxy;

    StatementHandler(Statement real, ConnectionHandler connection) {
        this.real = real;
        this.connection = connection;
    }

    @Override
    Statement delegate() {
        return real;
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        if (info.special == MethodInfo.Special.GET_CONNECTION) {
            // Still ask the real statement: a closed one must throw as it would have.
            call(method, args);
            return connection.proxy();
        }
        Object result = info.execute
                ? connection.retrier().statement(() -> call(method, args), connection.statementGate())
                : call(method, args);
        switch (info.returns) {
            case RESULT_SET:
                return wrap((ResultSet) result);
            case MAYBE_RESULT_SET:
                return result instanceof ResultSet ? wrap((ResultSet) result) : result;
            default:
                return result;
        }
    }

    private ResultSet wrap(ResultSet rs) {
        if (rs == null) {
            return null;
        }
        if (rs != lastReal) {
            lastProxy = ProxyFactory.resultSet(rs, connection, this);
            lastReal = rs;
        }
        return lastProxy;
    }

    Statement proxy() {
        return (Statement) proxy;
    }
}
