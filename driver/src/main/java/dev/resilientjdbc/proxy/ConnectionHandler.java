package dev.resilientjdbc.proxy;

import dev.resilientjdbc.connection.Calls;
import dev.resilientjdbc.connection.LogicalConnection;
import dev.resilientjdbc.connection.LogicalStatement;
import dev.resilientjdbc.connection.StatementRecipe;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;

/**
 * Handler of the application's Connection proxy: it makes the proxies the application gets back and hands
 * every call to the logical layer ({@link LogicalConnection}, {@link Calls}) by the kind {@link MethodInfo}
 * decided once per method.
 */
final class ConnectionHandler extends JdbcHandler {
    private final LogicalConnection logical;
    // The real drivers hand out one metadata object per connection; so do we, as one proxy.
    private volatile DatabaseMetaData metaData;

    ConnectionHandler(LogicalConnection logical) {
        this.logical = logical;
    }

    LogicalConnection logical() {
        return logical;
    }

    @Override
    Connection delegate() throws SQLException {
        return logical.physical();
    }

    @Override
    Object describe() {
        return logical.lastPhysical();
    }

    /**
     * pgjdbc's answer (08003), for every real driver: once closed, the physical connection may be back
     * in a pool and in another borrower's hands, and HikariCP would answer with a stand-in, so the
     * real object is no longer ours to hand out or to ask.
     */
    @Override
    SQLException closedError() {
        return logical.isClosed() ? new SQLException("This connection has been closed.", "08003") : null;
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        if (info.special == MethodInfo.Special.CLOSE) {
            logical.close();
            return null;
        }
        switch (info.returns) {
            case STATEMENT:
            case PREPARED_STATEMENT:
            case CALLABLE_STATEMENT: {
                Statement real = (Statement) Calls.withReconnect(logical, method, args);
                return real == null ? null
                        : ProxyFactory.statement(new LogicalStatement(logical, new StatementRecipe(method, args), real), this);
            }
            case METADATA: {
                // A closed connection throws as it would have.
                DatabaseMetaData real = (DatabaseMetaData) Calls.withReconnect(logical, method, args);
                DatabaseMetaData md = metaData;
                if (md == null) {
                    md = ProxyFactory.metaData(this);
                    metaData = md;
                }
                ((MetaDataHandler) java.lang.reflect.Proxy.getInvocationHandler(md)).refresh(real);
                return md;
            }
            default:
                break;
        }
        if (info.special == MethodInfo.Special.IS_CLOSED) {
            // Open until the application closes it, whatever was lost underneath — unless the real driver ended it
            // for the application (its own timeout, a setting it refuses): then closed, as raw (see LogicalConnection).
            return logical.isClosed();
        }
        switch (info.connectionCall) {
            case ABORT:
                logical.abort(method, args);
                return null;
            case COMMIT:
                return logical.commits().commit(method);
            case ROLLBACK:
                return Calls.rollback(logical, method);
            case SAVEPOINT_USE:
                return logical.useSavepoint(method, (Savepoint) args[0]);
            case SET_SAVEPOINT:
                return logical.setSavepoint(method, args);
            case SET_AUTOCOMMIT:
                return logical.set(method, args, true);
            case SETTER:
                return logical.set(method, args, false);
            case OUT_OF_SIGHT: {
                Object api = Calls.withReconnect(logical, method, args);
                logical.drivenDirectly(); // on the connection the call just ran on
                return api;
            }
            default:
                break;
        }
        Object result = Calls.withReconnect(logical, method, args);
        return info.returns == MethodInfo.Returns.ARRAY && result instanceof java.sql.Array
                ? ProxyFactory.array((java.sql.Array) result, this) : result;
    }

    Connection proxy() {
        return (Connection) proxy;
    }
}
