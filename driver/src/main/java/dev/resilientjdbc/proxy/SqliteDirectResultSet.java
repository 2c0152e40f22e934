package dev.resilientjdbc.proxy;

// Written by DirectResultSetSourceTest (-Dregenerate=true): do not edit.

import java.lang.reflect.Method;
import java.sql.SQLException;

/** {@link DirectResultSet} for the result sets of sqlite-jdbc, which are their own metadata too. Written by DirectResultSetSourceTest. */
public final class SqliteDirectResultSet extends DirectResultSet implements java.sql.ResultSetMetaData, org.sqlite.core.Codes {
    private static final Method M0 = method(java.sql.ResultSetMetaData.class, "getCatalogName", int.class);
    private static final Method M1 = method(java.sql.ResultSetMetaData.class, "getColumnClassName", int.class);
    private static final Method M2 = method(java.sql.ResultSetMetaData.class, "getColumnCount");
    private static final Method M3 = method(java.sql.ResultSetMetaData.class, "getColumnDisplaySize", int.class);
    private static final Method M4 = method(java.sql.ResultSetMetaData.class, "getColumnLabel", int.class);
    private static final Method M5 = method(java.sql.ResultSetMetaData.class, "getColumnName", int.class);
    private static final Method M6 = method(java.sql.ResultSetMetaData.class, "getColumnType", int.class);
    private static final Method M7 = method(java.sql.ResultSetMetaData.class, "getColumnTypeName", int.class);
    private static final Method M8 = method(java.sql.ResultSetMetaData.class, "getPrecision", int.class);
    private static final Method M9 = method(java.sql.ResultSetMetaData.class, "getScale", int.class);
    private static final Method M10 = method(java.sql.ResultSetMetaData.class, "getSchemaName", int.class);
    private static final Method M11 = method(java.sql.ResultSetMetaData.class, "getTableName", int.class);
    private static final Method M12 = method(java.sql.ResultSetMetaData.class, "isAutoIncrement", int.class);
    private static final Method M13 = method(java.sql.ResultSetMetaData.class, "isCaseSensitive", int.class);
    private static final Method M14 = method(java.sql.ResultSetMetaData.class, "isCurrency", int.class);
    private static final Method M15 = method(java.sql.ResultSetMetaData.class, "isDefinitelyWritable", int.class);
    private static final Method M16 = method(java.sql.ResultSetMetaData.class, "isNullable", int.class);
    private static final Method M17 = method(java.sql.ResultSetMetaData.class, "isReadOnly", int.class);
    private static final Method M18 = method(java.sql.ResultSetMetaData.class, "isSearchable", int.class);
    private static final Method M19 = method(java.sql.ResultSetMetaData.class, "isSigned", int.class);
    private static final Method M20 = method(java.sql.ResultSetMetaData.class, "isWritable", int.class);

    SqliteDirectResultSet(ResultSetHandler handler) {
        super(handler);
    }

    @Override
    public java.lang.String getCatalogName(int a0) throws SQLException {
        return (java.lang.String) call(M0, new Object[] {a0});
    }

    @Override
    public java.lang.String getColumnClassName(int a0) throws SQLException {
        return (java.lang.String) call(M1, new Object[] {a0});
    }

    @Override
    public int getColumnCount() throws SQLException {
        return (Integer) call(M2, null);
    }

    @Override
    public int getColumnDisplaySize(int a0) throws SQLException {
        return (Integer) call(M3, new Object[] {a0});
    }

    @Override
    public java.lang.String getColumnLabel(int a0) throws SQLException {
        return (java.lang.String) call(M4, new Object[] {a0});
    }

    @Override
    public java.lang.String getColumnName(int a0) throws SQLException {
        return (java.lang.String) call(M5, new Object[] {a0});
    }

    @Override
    public int getColumnType(int a0) throws SQLException {
        return (Integer) call(M6, new Object[] {a0});
    }

    @Override
    public java.lang.String getColumnTypeName(int a0) throws SQLException {
        return (java.lang.String) call(M7, new Object[] {a0});
    }

    @Override
    public int getPrecision(int a0) throws SQLException {
        return (Integer) call(M8, new Object[] {a0});
    }

    @Override
    public int getScale(int a0) throws SQLException {
        return (Integer) call(M9, new Object[] {a0});
    }

    @Override
    public java.lang.String getSchemaName(int a0) throws SQLException {
        return (java.lang.String) call(M10, new Object[] {a0});
    }

    @Override
    public java.lang.String getTableName(int a0) throws SQLException {
        return (java.lang.String) call(M11, new Object[] {a0});
    }

    @Override
    public boolean isAutoIncrement(int a0) throws SQLException {
        return (Boolean) call(M12, new Object[] {a0});
    }

    @Override
    public boolean isCaseSensitive(int a0) throws SQLException {
        return (Boolean) call(M13, new Object[] {a0});
    }

    @Override
    public boolean isCurrency(int a0) throws SQLException {
        return (Boolean) call(M14, new Object[] {a0});
    }

    @Override
    public boolean isDefinitelyWritable(int a0) throws SQLException {
        return (Boolean) call(M15, new Object[] {a0});
    }

    @Override
    public int isNullable(int a0) throws SQLException {
        return (Integer) call(M16, new Object[] {a0});
    }

    @Override
    public boolean isReadOnly(int a0) throws SQLException {
        return (Boolean) call(M17, new Object[] {a0});
    }

    @Override
    public boolean isSearchable(int a0) throws SQLException {
        return (Boolean) call(M18, new Object[] {a0});
    }

    @Override
    public boolean isSigned(int a0) throws SQLException {
        return (Boolean) call(M19, new Object[] {a0});
    }

    @Override
    public boolean isWritable(int a0) throws SQLException {
        return (Boolean) call(M20, new Object[] {a0});
    }
}
