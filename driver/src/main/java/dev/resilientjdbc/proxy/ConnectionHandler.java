package dev.resilientjdbc.proxy;

import dev.resilientjdbc.classify.FailureClass;
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

/** Handler of the application's Connection proxy; the logic lives in {@link LogicalConnection}. */
final class ConnectionHandler extends JdbcHandler {
    private static final Method COMMIT;

    static {
        try {
            COMMIT = Connection.class.getMethod("commit");
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
                return savepointUse(method, (Savepoint) args[0]);
            case SET_SAVEPOINT:
                return setSavepoint(method, args);
            case SET_AUTOCOMMIT:
                return setter(method, args, true);
            case SETTER:
                return setter(method, args, false);
            case OUT_OF_SIGHT: {
                Object api = Calls.withReconnect(logical, method, args);
                logical.drivenDirectly(); // on the connection the call just ran on
                return api;
            }
            default:
                break;
        }
        Object result = Calls.withReconnect(logical, method, args);
        return result instanceof java.sql.Array && info.returns == MethodInfo.Returns.ARRAY
                ? ProxyFactory.array((java.sql.Array) result, this) : result;
    }

    private Object setSavepoint(Method method, Object[] args) throws Throwable {
        boolean hadWork = logical.beforeExecute();
        Savepoint sp = (Savepoint) logical.inTransaction(() -> callOn(logical.physical(), method, args), null, hadWork);
        logical.log().recordSavepoint(method, args, sp);
        return sp;
    }

    private Object savepointUse(Method method, Savepoint appSavepoint) throws Throwable {
        boolean hadWork = logical.beforeExecute();
        Object r = logical.inTransaction(
                () -> callOn(logical.physical(), method, new Object[]{logical.log().translate(appSavepoint)}), null, hadWork);
        logical.log().recordSavepointUse(method, appSavepoint);
        return r;
    }

    private Object setter(Method method, Object[] args, boolean autoCommitSetter) throws Throwable {
        if (autoCommitSetter && Boolean.TRUE.equals(args[0]) && !logical.session().autoCommit()) {
            // Switching autocommit on commits the open transaction: the same commit as commit(), with its
            // replay and in-doubt resolution, so a connection lost since the last call cannot drop it silently.
            logical.commits().commit(COMMIT);
        }
        Connection p = logical.physical();
        try {
            Object r = callOn(p, method, args);
            record(method, args, autoCommitSetter);
            if (autoCommitSetter) {
                if (Boolean.TRUE.equals(args[0])) {
                    logical.session().commitPending(); // switching autocommit on committed the open transaction
                }
                logical.transactionEnded();
            }
            return r;
        } catch (SQLException e) {
            if (logical.failed(e) == FailureClass.CONNECTION && !logical.isClosed()) {
                // The new connection will be put in this state when it is opened.
                logical.lost(p);
                record(method, args, autoCommitSetter);
                return null;
            }
            throw e;
        }
    }

    private void record(Method method, Object[] args, boolean autoCommitSetter) {
        if (autoCommitSetter) {
            logical.session().recordAutoCommit((Boolean) args[0]);
        } else {
            logical.session().record(method, args);
        }
    }

    Connection proxy() {
        return (Connection) proxy;
    }
}
