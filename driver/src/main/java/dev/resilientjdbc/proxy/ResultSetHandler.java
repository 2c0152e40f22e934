package dev.resilientjdbc.proxy;

import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.Statement;

/** Handler of ResultSet proxies; the hot path of every application. */
final class ResultSetHandler extends JdbcHandler {
    private final ResultSet real;
    private final ConnectionHandler connection;
    // The statement proxy that produced this result set; null for metadata result sets until asked.
    private StatementHandler statement;

    ResultSetHandler(ResultSet real, ConnectionHandler connection, StatementHandler statement) {
        this.real = real;
        this.connection = connection;
        this.statement = statement;
    }

    @Override
    ResultSet delegate() {
        return real;
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        Object result = call(method, args);
        if (info.returns == MethodInfo.Returns.PLAIN || result == null) {
            return result;
        }
        if (info.special == MethodInfo.Special.GET_STATEMENT) {
            return statementProxy((Statement) result);
        }
        if (result instanceof ResultSet) {
            // A result set inside a result set (a refcursor column): its parent is our statement.
            return ProxyFactory.resultSet((ResultSet) result, connection, statement);
        }
        return result;
    }

    private Statement statementProxy(Statement realStatement) {
        if (statement == null || statement.delegate() != realStatement) {
            // Metadata result sets come from statements the real driver made itself: wrap those too,
            // so their getConnection() leads back to the application's connection proxy.
            statement = ProxyFactory.statementHandler(realStatement, connection);
        }
        return statement.proxy();
    }
}
