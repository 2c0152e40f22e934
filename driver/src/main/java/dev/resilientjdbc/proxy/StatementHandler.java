package dev.resilientjdbc.proxy;

import dev.resilientjdbc.connection.LogicalStatement;
import dev.resilientjdbc.connection.StatementCall;
import dev.resilientjdbc.replay.ResultSetTrack;

import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Handler of Statement, PreparedStatement and CallableStatement proxies; the logic lives in {@link LogicalStatement}. */
final class StatementHandler extends JdbcHandler {
    private final LogicalStatement logical;
    private final ConnectionHandler connection;
    // getResultSet() twice gives the same object on the real drivers; the same proxy here.
    private ResultSet lastReal;
    private ResultSet lastProxy;
    private ResultSetHandler lastHandler;
    // Generated keys have a slot of their own, so they never replace what getResultSet() hands out.
    private ResultSet keysReal;
    private ResultSet keysProxy;

    StatementHandler(LogicalStatement logical, ConnectionHandler connection) {
        this.logical = logical;
        this.connection = connection;
    }

    @Override
    Statement delegate() throws SQLException {
        return logical.current();
    }

    @Override
    Object describe() {
        return logical.lastPhysical();
    }

    /** The real statement as it is now, without re-creating it. */
    Statement lastPhysical() {
        return logical.lastPhysical();
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        switch (info.special) {
            case GET_CONNECTION:
                // Still ask the real statement: a closed one must throw as it would have.
                logical.call(info.statementCall, method, args);
                return connection.proxy();
            case CLOSE:
                logical.close();
                return null;
            case IS_CLOSED:
                return logical.isClosed();
            default:
                break;
        }
        if (info.mayTakeArray) {
            args = ProxyFactory.realArguments(args);
        }
        Object result = info.execute
                ? logical.execute(method, args, args != null && args.length > 0 && args[0] instanceof String ? (String) args[0] : null,
                        info.query)
                : logical.call(info.statementCall, method, args);
        MethodInfo.Returns returns = info.returns;
        // The declared type first: void, primitives and String need no look at the object (a failed check against an
        // interface scans all the class's interfaces on every call).
        if (returns == MethodInfo.Returns.PLAIN || result == null) {
            return result;
        }
        if ((returns == MethodInfo.Returns.ARRAY || returns == MethodInfo.Returns.MAYBE_RESULT_SET) && result instanceof java.sql.Array) {
            return ProxyFactory.array((java.sql.Array) result, connection);
        }
        if (!(result instanceof ResultSetTrack) && !(result instanceof ResultSet)) {
            return result;
        }
        // A result set: as it is, or as its ResultSetTrack when a transaction records it.
        return info.statementCall == StatementCall.GENERATED_KEYS ? wrapKeys(result) : wrap(result);
    }

    private ResultSet wrapKeys(Object source) {
        ResultSet rs = ResultSetHandler.real(source);
        if (rs != keysReal) {
            keysProxy = ProxyFactory.resultSet(source, connection, this, connection.logical().lastPhysical());
            keysReal = rs;
        }
        return keysProxy;
    }

    private ResultSet wrap(Object source) {
        ResultSet rs = ResultSetHandler.real(source);
        if (rs != lastReal) {
            lastHandler = ProxyFactory.resultSetHandler(source, connection, this, connection.logical().lastPhysical());
            lastProxy = (ResultSet) lastHandler.proxy;
            lastReal = rs;
        } else {
            lastHandler.retrack(source); // kept: Proxy.getInvocationHandler checks the class, and may allocate doing so
        }
        return lastProxy;
    }

    Statement proxy() {
        return (Statement) proxy;
    }
}
