package dev.resilientjdbc.proxy;

// Written by DirectResultSetSourceTest (-Dregenerate=true): do not edit.

import java.lang.reflect.Method;
import java.sql.SQLException;

/** {@link DirectResultSet} for the result sets of pgjdbc. Written by DirectResultSetSourceTest. */
public final class PgDirectResultSet extends DirectResultSet implements org.postgresql.PGRefCursorResultSet {
    private static final Method M0 = method(org.postgresql.PGRefCursorResultSet.class, "getRefCursor");

    PgDirectResultSet(ResultSetHandler handler) {
        super(handler);
    }

    @Override
    @Deprecated
    public java.lang.String getRefCursor() {
        return (java.lang.String) callUnchecked(M0, null);
    }
}
