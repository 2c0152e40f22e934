package dev.resilientjdbc.proxy;

import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RetryRules;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Statement;

/** Handler of the application's Connection proxy. */
final class ConnectionHandler extends JdbcHandler {
    private final Connection real;
    private final Retrier retrier;
    private final Retrier.RetryGate autoCommitGate;
    // The real drivers hand out one metadata object per connection; so do we, as one proxy.
    private DatabaseMetaData metaDataReal;
    private DatabaseMetaData metaDataProxy;

    ConnectionHandler(Connection real, Retrier retrier) {
        this.real = real;
        this.retrier = retrier;
        // Asked only after a failure: the healthy path never calls getAutoCommit.
        this.autoCommitGate = c -> RetryRules.statementMayRetry(c, real.getAutoCommit());
    }

    Retrier retrier() {
        return retrier;
    }

    Retrier.RetryGate statementGate() {
        return autoCommitGate;
    }

    @Override
    Connection delegate() {
        return real;
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        Object result = call(method, args);
        if (result == null) {
            return null;
        }
        switch (info.returns) {
            case STATEMENT:
            case PREPARED_STATEMENT:
            case CALLABLE_STATEMENT:
                return ProxyFactory.statement((Statement) result, this);
            case METADATA:
                return metaData((DatabaseMetaData) result);
            default:
                return result;
        }
    }

    private DatabaseMetaData metaData(DatabaseMetaData md) {
        if (md != metaDataReal) {
            metaDataProxy = ProxyFactory.metaData(md, this);
            metaDataReal = md;
        }
        return metaDataProxy;
    }

    Connection proxy() {
        return (Connection) proxy;
    }
}
