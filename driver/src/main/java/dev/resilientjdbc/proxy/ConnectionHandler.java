package dev.resilientjdbc.proxy;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Statement;

/** Handler of the application's Connection proxy. */
final class ConnectionHandler extends JdbcHandler {
    private final Connection real;
    // The real drivers hand out one metadata object per connection; so do we, as one proxy.
    private DatabaseMetaData metaDataReal;
    private DatabaseMetaData metaDataProxy;

    ConnectionHandler(Connection real) {
        this.real = real;
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
