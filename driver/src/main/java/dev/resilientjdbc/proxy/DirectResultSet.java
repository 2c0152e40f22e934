package dev.resilientjdbc.proxy;

// Written by DirectResultSetSourceTest (-Dregenerate=true): do not edit.

import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A result-set proxy made of a class of ours instead of {@link java.lang.reflect.Proxy}, for a real result set whose
 * public interfaces are ResultSet's alone (the subclasses add SQLite's and pgjdbc's). next(), wasNull() and the
 * getters of a column that answer a plain value go to the real result set directly outside a recorded transaction
 * (no argument array, no boxed answer: a Proxy makes both on every call, and the JIT cannot take them apart as
 * the handler also passes them to Method.invoke); every other call, and these inside a recorded transaction, go
 * to the handler with the same Method objects a Proxy would hand it. Public, as a Proxy class of public interfaces
 * is, so that code calling a method found on getClass() by reflection still may. Written by
 * DirectResultSetSourceTest.
 */
public class DirectResultSet implements ResultSet, ResilientProxy {
    private static final Method EQUALS = method(Object.class, "equals", Object.class);
    private static final Method HASH_CODE = method(Object.class, "hashCode");
    private static final Method TO_STRING = method(Object.class, "toString");
    private static final Method M0 = method(java.sql.ResultSet.class, "absolute", int.class);
    private static final Method M1 = method(java.sql.ResultSet.class, "afterLast");
    private static final Method M2 = method(java.sql.ResultSet.class, "beforeFirst");
    private static final Method M3 = method(java.sql.ResultSet.class, "cancelRowUpdates");
    private static final Method M4 = method(java.sql.ResultSet.class, "clearWarnings");
    private static final Method M5 = method(java.sql.ResultSet.class, "close");
    private static final Method M6 = method(java.sql.ResultSet.class, "deleteRow");
    private static final Method M7 = method(java.sql.ResultSet.class, "findColumn", java.lang.String.class);
    private static final Method M8 = method(java.sql.ResultSet.class, "first");
    private static final Method M9 = method(java.sql.ResultSet.class, "getArray", java.lang.String.class);
    private static final Method M10 = method(java.sql.ResultSet.class, "getArray", int.class);
    private static final Method M11 = method(java.sql.ResultSet.class, "getAsciiStream", java.lang.String.class);
    private static final Method M12 = method(java.sql.ResultSet.class, "getAsciiStream", int.class);
    private static final Method M13 = method(java.sql.ResultSet.class, "getBigDecimal", java.lang.String.class, int.class);
    private static final Method M14 = method(java.sql.ResultSet.class, "getBigDecimal", java.lang.String.class);
    private static final Method M15 = method(java.sql.ResultSet.class, "getBigDecimal", int.class, int.class);
    private static final Method M16 = method(java.sql.ResultSet.class, "getBigDecimal", int.class);
    private static final Method M17 = method(java.sql.ResultSet.class, "getBinaryStream", java.lang.String.class);
    private static final Method M18 = method(java.sql.ResultSet.class, "getBinaryStream", int.class);
    private static final Method M19 = method(java.sql.ResultSet.class, "getBlob", java.lang.String.class);
    private static final Method M20 = method(java.sql.ResultSet.class, "getBlob", int.class);
    private static final Method M21 = method(java.sql.ResultSet.class, "getBoolean", java.lang.String.class);
    private static final Method M22 = method(java.sql.ResultSet.class, "getBoolean", int.class);
    private static final Method M23 = method(java.sql.ResultSet.class, "getByte", java.lang.String.class);
    private static final Method M24 = method(java.sql.ResultSet.class, "getByte", int.class);
    private static final Method M25 = method(java.sql.ResultSet.class, "getBytes", java.lang.String.class);
    private static final Method M26 = method(java.sql.ResultSet.class, "getBytes", int.class);
    private static final Method M27 = method(java.sql.ResultSet.class, "getCharacterStream", java.lang.String.class);
    private static final Method M28 = method(java.sql.ResultSet.class, "getCharacterStream", int.class);
    private static final Method M29 = method(java.sql.ResultSet.class, "getClob", java.lang.String.class);
    private static final Method M30 = method(java.sql.ResultSet.class, "getClob", int.class);
    private static final Method M31 = method(java.sql.ResultSet.class, "getConcurrency");
    private static final Method M32 = method(java.sql.ResultSet.class, "getCursorName");
    private static final Method M33 = method(java.sql.ResultSet.class, "getDate", java.lang.String.class, java.util.Calendar.class);
    private static final Method M34 = method(java.sql.ResultSet.class, "getDate", java.lang.String.class);
    private static final Method M35 = method(java.sql.ResultSet.class, "getDate", int.class, java.util.Calendar.class);
    private static final Method M36 = method(java.sql.ResultSet.class, "getDate", int.class);
    private static final Method M37 = method(java.sql.ResultSet.class, "getDouble", java.lang.String.class);
    private static final Method M38 = method(java.sql.ResultSet.class, "getDouble", int.class);
    private static final Method M39 = method(java.sql.ResultSet.class, "getFetchDirection");
    private static final Method M40 = method(java.sql.ResultSet.class, "getFetchSize");
    private static final Method M41 = method(java.sql.ResultSet.class, "getFloat", java.lang.String.class);
    private static final Method M42 = method(java.sql.ResultSet.class, "getFloat", int.class);
    private static final Method M43 = method(java.sql.ResultSet.class, "getHoldability");
    private static final Method M44 = method(java.sql.ResultSet.class, "getInt", java.lang.String.class);
    private static final Method M45 = method(java.sql.ResultSet.class, "getInt", int.class);
    private static final Method M46 = method(java.sql.ResultSet.class, "getLong", java.lang.String.class);
    private static final Method M47 = method(java.sql.ResultSet.class, "getLong", int.class);
    private static final Method M48 = method(java.sql.ResultSet.class, "getMetaData");
    private static final Method M49 = method(java.sql.ResultSet.class, "getNCharacterStream", java.lang.String.class);
    private static final Method M50 = method(java.sql.ResultSet.class, "getNCharacterStream", int.class);
    private static final Method M51 = method(java.sql.ResultSet.class, "getNClob", java.lang.String.class);
    private static final Method M52 = method(java.sql.ResultSet.class, "getNClob", int.class);
    private static final Method M53 = method(java.sql.ResultSet.class, "getNString", java.lang.String.class);
    private static final Method M54 = method(java.sql.ResultSet.class, "getNString", int.class);
    private static final Method M55 = method(java.sql.ResultSet.class, "getObject", java.lang.String.class, java.lang.Class.class);
    private static final Method M56 = method(java.sql.ResultSet.class, "getObject", java.lang.String.class, java.util.Map.class);
    private static final Method M57 = method(java.sql.ResultSet.class, "getObject", java.lang.String.class);
    private static final Method M58 = method(java.sql.ResultSet.class, "getObject", int.class, java.lang.Class.class);
    private static final Method M59 = method(java.sql.ResultSet.class, "getObject", int.class, java.util.Map.class);
    private static final Method M60 = method(java.sql.ResultSet.class, "getObject", int.class);
    private static final Method M61 = method(java.sql.ResultSet.class, "getRef", java.lang.String.class);
    private static final Method M62 = method(java.sql.ResultSet.class, "getRef", int.class);
    private static final Method M63 = method(java.sql.ResultSet.class, "getRow");
    private static final Method M64 = method(java.sql.ResultSet.class, "getRowId", java.lang.String.class);
    private static final Method M65 = method(java.sql.ResultSet.class, "getRowId", int.class);
    private static final Method M66 = method(java.sql.ResultSet.class, "getSQLXML", java.lang.String.class);
    private static final Method M67 = method(java.sql.ResultSet.class, "getSQLXML", int.class);
    private static final Method M68 = method(java.sql.ResultSet.class, "getShort", java.lang.String.class);
    private static final Method M69 = method(java.sql.ResultSet.class, "getShort", int.class);
    private static final Method M70 = method(java.sql.ResultSet.class, "getStatement");
    private static final Method M71 = method(java.sql.ResultSet.class, "getString", java.lang.String.class);
    private static final Method M72 = method(java.sql.ResultSet.class, "getString", int.class);
    private static final Method M73 = method(java.sql.ResultSet.class, "getTime", java.lang.String.class, java.util.Calendar.class);
    private static final Method M74 = method(java.sql.ResultSet.class, "getTime", java.lang.String.class);
    private static final Method M75 = method(java.sql.ResultSet.class, "getTime", int.class, java.util.Calendar.class);
    private static final Method M76 = method(java.sql.ResultSet.class, "getTime", int.class);
    private static final Method M77 = method(java.sql.ResultSet.class, "getTimestamp", java.lang.String.class, java.util.Calendar.class);
    private static final Method M78 = method(java.sql.ResultSet.class, "getTimestamp", java.lang.String.class);
    private static final Method M79 = method(java.sql.ResultSet.class, "getTimestamp", int.class, java.util.Calendar.class);
    private static final Method M80 = method(java.sql.ResultSet.class, "getTimestamp", int.class);
    private static final Method M81 = method(java.sql.ResultSet.class, "getType");
    private static final Method M82 = method(java.sql.ResultSet.class, "getURL", java.lang.String.class);
    private static final Method M83 = method(java.sql.ResultSet.class, "getURL", int.class);
    private static final Method M84 = method(java.sql.ResultSet.class, "getUnicodeStream", java.lang.String.class);
    private static final Method M85 = method(java.sql.ResultSet.class, "getUnicodeStream", int.class);
    private static final Method M86 = method(java.sql.ResultSet.class, "getWarnings");
    private static final Method M87 = method(java.sql.ResultSet.class, "insertRow");
    private static final Method M88 = method(java.sql.ResultSet.class, "isAfterLast");
    private static final Method M89 = method(java.sql.ResultSet.class, "isBeforeFirst");
    private static final Method M90 = method(java.sql.ResultSet.class, "isClosed");
    private static final Method M91 = method(java.sql.ResultSet.class, "isFirst");
    private static final Method M92 = method(java.sql.ResultSet.class, "isLast");
    private static final Method M93 = method(java.sql.Wrapper.class, "isWrapperFor", java.lang.Class.class);
    private static final Method M94 = method(java.sql.ResultSet.class, "last");
    private static final Method M95 = method(java.sql.ResultSet.class, "moveToCurrentRow");
    private static final Method M96 = method(java.sql.ResultSet.class, "moveToInsertRow");
    private static final Method M97 = method(java.sql.ResultSet.class, "next");
    private static final Method M98 = method(java.sql.ResultSet.class, "previous");
    private static final Method M99 = method(java.sql.ResultSet.class, "refreshRow");
    private static final Method M100 = method(java.sql.ResultSet.class, "relative", int.class);
    private static final Method M101 = method(java.sql.ResultSet.class, "rowDeleted");
    private static final Method M102 = method(java.sql.ResultSet.class, "rowInserted");
    private static final Method M103 = method(java.sql.ResultSet.class, "rowUpdated");
    private static final Method M104 = method(java.sql.ResultSet.class, "setFetchDirection", int.class);
    private static final Method M105 = method(java.sql.ResultSet.class, "setFetchSize", int.class);
    private static final Method M106 = method(java.sql.Wrapper.class, "unwrap", java.lang.Class.class);
    private static final Method M107 = method(java.sql.ResultSet.class, "updateArray", java.lang.String.class, java.sql.Array.class);
    private static final Method M108 = method(java.sql.ResultSet.class, "updateArray", int.class, java.sql.Array.class);
    private static final Method M109 = method(java.sql.ResultSet.class, "updateAsciiStream", java.lang.String.class, java.io.InputStream.class, int.class);
    private static final Method M110 = method(java.sql.ResultSet.class, "updateAsciiStream", java.lang.String.class, java.io.InputStream.class, long.class);
    private static final Method M111 = method(java.sql.ResultSet.class, "updateAsciiStream", java.lang.String.class, java.io.InputStream.class);
    private static final Method M112 = method(java.sql.ResultSet.class, "updateAsciiStream", int.class, java.io.InputStream.class, int.class);
    private static final Method M113 = method(java.sql.ResultSet.class, "updateAsciiStream", int.class, java.io.InputStream.class, long.class);
    private static final Method M114 = method(java.sql.ResultSet.class, "updateAsciiStream", int.class, java.io.InputStream.class);
    private static final Method M115 = method(java.sql.ResultSet.class, "updateBigDecimal", java.lang.String.class, java.math.BigDecimal.class);
    private static final Method M116 = method(java.sql.ResultSet.class, "updateBigDecimal", int.class, java.math.BigDecimal.class);
    private static final Method M117 = method(java.sql.ResultSet.class, "updateBinaryStream", java.lang.String.class, java.io.InputStream.class, int.class);
    private static final Method M118 = method(java.sql.ResultSet.class, "updateBinaryStream", java.lang.String.class, java.io.InputStream.class, long.class);
    private static final Method M119 = method(java.sql.ResultSet.class, "updateBinaryStream", java.lang.String.class, java.io.InputStream.class);
    private static final Method M120 = method(java.sql.ResultSet.class, "updateBinaryStream", int.class, java.io.InputStream.class, int.class);
    private static final Method M121 = method(java.sql.ResultSet.class, "updateBinaryStream", int.class, java.io.InputStream.class, long.class);
    private static final Method M122 = method(java.sql.ResultSet.class, "updateBinaryStream", int.class, java.io.InputStream.class);
    private static final Method M123 = method(java.sql.ResultSet.class, "updateBlob", java.lang.String.class, java.io.InputStream.class, long.class);
    private static final Method M124 = method(java.sql.ResultSet.class, "updateBlob", java.lang.String.class, java.io.InputStream.class);
    private static final Method M125 = method(java.sql.ResultSet.class, "updateBlob", java.lang.String.class, java.sql.Blob.class);
    private static final Method M126 = method(java.sql.ResultSet.class, "updateBlob", int.class, java.io.InputStream.class, long.class);
    private static final Method M127 = method(java.sql.ResultSet.class, "updateBlob", int.class, java.io.InputStream.class);
    private static final Method M128 = method(java.sql.ResultSet.class, "updateBlob", int.class, java.sql.Blob.class);
    private static final Method M129 = method(java.sql.ResultSet.class, "updateBoolean", java.lang.String.class, boolean.class);
    private static final Method M130 = method(java.sql.ResultSet.class, "updateBoolean", int.class, boolean.class);
    private static final Method M131 = method(java.sql.ResultSet.class, "updateByte", java.lang.String.class, byte.class);
    private static final Method M132 = method(java.sql.ResultSet.class, "updateByte", int.class, byte.class);
    private static final Method M133 = method(java.sql.ResultSet.class, "updateBytes", java.lang.String.class, byte[].class);
    private static final Method M134 = method(java.sql.ResultSet.class, "updateBytes", int.class, byte[].class);
    private static final Method M135 = method(java.sql.ResultSet.class, "updateCharacterStream", java.lang.String.class, java.io.Reader.class, int.class);
    private static final Method M136 = method(java.sql.ResultSet.class, "updateCharacterStream", java.lang.String.class, java.io.Reader.class, long.class);
    private static final Method M137 = method(java.sql.ResultSet.class, "updateCharacterStream", java.lang.String.class, java.io.Reader.class);
    private static final Method M138 = method(java.sql.ResultSet.class, "updateCharacterStream", int.class, java.io.Reader.class, int.class);
    private static final Method M139 = method(java.sql.ResultSet.class, "updateCharacterStream", int.class, java.io.Reader.class, long.class);
    private static final Method M140 = method(java.sql.ResultSet.class, "updateCharacterStream", int.class, java.io.Reader.class);
    private static final Method M141 = method(java.sql.ResultSet.class, "updateClob", java.lang.String.class, java.io.Reader.class, long.class);
    private static final Method M142 = method(java.sql.ResultSet.class, "updateClob", java.lang.String.class, java.io.Reader.class);
    private static final Method M143 = method(java.sql.ResultSet.class, "updateClob", java.lang.String.class, java.sql.Clob.class);
    private static final Method M144 = method(java.sql.ResultSet.class, "updateClob", int.class, java.io.Reader.class, long.class);
    private static final Method M145 = method(java.sql.ResultSet.class, "updateClob", int.class, java.io.Reader.class);
    private static final Method M146 = method(java.sql.ResultSet.class, "updateClob", int.class, java.sql.Clob.class);
    private static final Method M147 = method(java.sql.ResultSet.class, "updateDate", java.lang.String.class, java.sql.Date.class);
    private static final Method M148 = method(java.sql.ResultSet.class, "updateDate", int.class, java.sql.Date.class);
    private static final Method M149 = method(java.sql.ResultSet.class, "updateDouble", java.lang.String.class, double.class);
    private static final Method M150 = method(java.sql.ResultSet.class, "updateDouble", int.class, double.class);
    private static final Method M151 = method(java.sql.ResultSet.class, "updateFloat", java.lang.String.class, float.class);
    private static final Method M152 = method(java.sql.ResultSet.class, "updateFloat", int.class, float.class);
    private static final Method M153 = method(java.sql.ResultSet.class, "updateInt", java.lang.String.class, int.class);
    private static final Method M154 = method(java.sql.ResultSet.class, "updateInt", int.class, int.class);
    private static final Method M155 = method(java.sql.ResultSet.class, "updateLong", java.lang.String.class, long.class);
    private static final Method M156 = method(java.sql.ResultSet.class, "updateLong", int.class, long.class);
    private static final Method M157 = method(java.sql.ResultSet.class, "updateNCharacterStream", java.lang.String.class, java.io.Reader.class, long.class);
    private static final Method M158 = method(java.sql.ResultSet.class, "updateNCharacterStream", java.lang.String.class, java.io.Reader.class);
    private static final Method M159 = method(java.sql.ResultSet.class, "updateNCharacterStream", int.class, java.io.Reader.class, long.class);
    private static final Method M160 = method(java.sql.ResultSet.class, "updateNCharacterStream", int.class, java.io.Reader.class);
    private static final Method M161 = method(java.sql.ResultSet.class, "updateNClob", java.lang.String.class, java.io.Reader.class, long.class);
    private static final Method M162 = method(java.sql.ResultSet.class, "updateNClob", java.lang.String.class, java.io.Reader.class);
    private static final Method M163 = method(java.sql.ResultSet.class, "updateNClob", java.lang.String.class, java.sql.NClob.class);
    private static final Method M164 = method(java.sql.ResultSet.class, "updateNClob", int.class, java.io.Reader.class, long.class);
    private static final Method M165 = method(java.sql.ResultSet.class, "updateNClob", int.class, java.io.Reader.class);
    private static final Method M166 = method(java.sql.ResultSet.class, "updateNClob", int.class, java.sql.NClob.class);
    private static final Method M167 = method(java.sql.ResultSet.class, "updateNString", java.lang.String.class, java.lang.String.class);
    private static final Method M168 = method(java.sql.ResultSet.class, "updateNString", int.class, java.lang.String.class);
    private static final Method M169 = method(java.sql.ResultSet.class, "updateNull", java.lang.String.class);
    private static final Method M170 = method(java.sql.ResultSet.class, "updateNull", int.class);
    private static final Method M171 = method(java.sql.ResultSet.class, "updateObject", java.lang.String.class, java.lang.Object.class, int.class);
    private static final Method M172 = method(java.sql.ResultSet.class, "updateObject", java.lang.String.class, java.lang.Object.class, java.sql.SQLType.class, int.class);
    private static final Method M173 = method(java.sql.ResultSet.class, "updateObject", java.lang.String.class, java.lang.Object.class, java.sql.SQLType.class);
    private static final Method M174 = method(java.sql.ResultSet.class, "updateObject", java.lang.String.class, java.lang.Object.class);
    private static final Method M175 = method(java.sql.ResultSet.class, "updateObject", int.class, java.lang.Object.class, int.class);
    private static final Method M176 = method(java.sql.ResultSet.class, "updateObject", int.class, java.lang.Object.class, java.sql.SQLType.class, int.class);
    private static final Method M177 = method(java.sql.ResultSet.class, "updateObject", int.class, java.lang.Object.class, java.sql.SQLType.class);
    private static final Method M178 = method(java.sql.ResultSet.class, "updateObject", int.class, java.lang.Object.class);
    private static final Method M179 = method(java.sql.ResultSet.class, "updateRef", java.lang.String.class, java.sql.Ref.class);
    private static final Method M180 = method(java.sql.ResultSet.class, "updateRef", int.class, java.sql.Ref.class);
    private static final Method M181 = method(java.sql.ResultSet.class, "updateRow");
    private static final Method M182 = method(java.sql.ResultSet.class, "updateRowId", java.lang.String.class, java.sql.RowId.class);
    private static final Method M183 = method(java.sql.ResultSet.class, "updateRowId", int.class, java.sql.RowId.class);
    private static final Method M184 = method(java.sql.ResultSet.class, "updateSQLXML", java.lang.String.class, java.sql.SQLXML.class);
    private static final Method M185 = method(java.sql.ResultSet.class, "updateSQLXML", int.class, java.sql.SQLXML.class);
    private static final Method M186 = method(java.sql.ResultSet.class, "updateShort", java.lang.String.class, short.class);
    private static final Method M187 = method(java.sql.ResultSet.class, "updateShort", int.class, short.class);
    private static final Method M188 = method(java.sql.ResultSet.class, "updateString", java.lang.String.class, java.lang.String.class);
    private static final Method M189 = method(java.sql.ResultSet.class, "updateString", int.class, java.lang.String.class);
    private static final Method M190 = method(java.sql.ResultSet.class, "updateTime", java.lang.String.class, java.sql.Time.class);
    private static final Method M191 = method(java.sql.ResultSet.class, "updateTime", int.class, java.sql.Time.class);
    private static final Method M192 = method(java.sql.ResultSet.class, "updateTimestamp", java.lang.String.class, java.sql.Timestamp.class);
    private static final Method M193 = method(java.sql.ResultSet.class, "updateTimestamp", int.class, java.sql.Timestamp.class);
    private static final Method M194 = method(java.sql.ResultSet.class, "wasNull");

    final ResultSetHandler handler;

    DirectResultSet(ResultSetHandler handler) {
        this.handler = handler;
    }

    static Method method(Class<?> type, String name, Class<?>... parameters) {
        try {
            return type.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a Proxy's method does: the handler's answer, or what it threw (undeclared checked ones wrapped). */
    final Object call(Method method, Object[] args) throws SQLException {
        try {
            return handler.invoke(this, method, args);
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new UndeclaredThrowableException(e);
        }
    }

    final Object callUnchecked(Method method, Object[] args) {
        try {
            return handler.invoke(this, method, args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new UndeclaredThrowableException(e);
        }
    }

    @Override
    public final boolean equals(Object other) {
        return (Boolean) callUnchecked(EQUALS, new Object[] {other});
    }

    @Override
    public final int hashCode() {
        return (Integer) callUnchecked(HASH_CODE, null);
    }

    @Override
    public final String toString() {
        return (String) callUnchecked(TO_STRING, null);
    }

    @Override
    public boolean absolute(int a0) throws SQLException {
        return (Boolean) call(M0, new Object[] {a0});
    }

    @Override
    public void afterLast() throws SQLException {
        call(M1, null);
    }

    @Override
    public void beforeFirst() throws SQLException {
        call(M2, null);
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        call(M3, null);
    }

    @Override
    public void clearWarnings() throws SQLException {
        call(M4, null);
    }

    @Override
    public void close() throws SQLException {
        call(M5, null);
    }

    @Override
    public void deleteRow() throws SQLException {
        call(M6, null);
    }

    @Override
    public int findColumn(java.lang.String a0) throws SQLException {
        return (Integer) call(M7, new Object[] {a0});
    }

    @Override
    public boolean first() throws SQLException {
        return (Boolean) call(M8, null);
    }

    @Override
    public java.sql.Array getArray(java.lang.String a0) throws SQLException {
        return (java.sql.Array) call(M9, new Object[] {a0});
    }

    @Override
    public java.sql.Array getArray(int a0) throws SQLException {
        return (java.sql.Array) call(M10, new Object[] {a0});
    }

    @Override
    public java.io.InputStream getAsciiStream(java.lang.String a0) throws SQLException {
        return (java.io.InputStream) call(M11, new Object[] {a0});
    }

    @Override
    public java.io.InputStream getAsciiStream(int a0) throws SQLException {
        return (java.io.InputStream) call(M12, new Object[] {a0});
    }

    @Override
    @Deprecated
    public java.math.BigDecimal getBigDecimal(java.lang.String a0, int a1) throws SQLException {
        return (java.math.BigDecimal) call(M13, new Object[] {a0, a1});
    }

    @Override
    public java.math.BigDecimal getBigDecimal(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getBigDecimal(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.math.BigDecimal) call(M14, new Object[] {a0});
    }

    @Override
    @Deprecated
    public java.math.BigDecimal getBigDecimal(int a0, int a1) throws SQLException {
        return (java.math.BigDecimal) call(M15, new Object[] {a0, a1});
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getBigDecimal(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.math.BigDecimal) call(M16, new Object[] {a0});
    }

    @Override
    public java.io.InputStream getBinaryStream(java.lang.String a0) throws SQLException {
        return (java.io.InputStream) call(M17, new Object[] {a0});
    }

    @Override
    public java.io.InputStream getBinaryStream(int a0) throws SQLException {
        return (java.io.InputStream) call(M18, new Object[] {a0});
    }

    @Override
    public java.sql.Blob getBlob(java.lang.String a0) throws SQLException {
        return (java.sql.Blob) call(M19, new Object[] {a0});
    }

    @Override
    public java.sql.Blob getBlob(int a0) throws SQLException {
        return (java.sql.Blob) call(M20, new Object[] {a0});
    }

    @Override
    public boolean getBoolean(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getBoolean(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Boolean) call(M21, new Object[] {a0});
    }

    @Override
    public boolean getBoolean(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getBoolean(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Boolean) call(M22, new Object[] {a0});
    }

    @Override
    public byte getByte(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getByte(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Byte) call(M23, new Object[] {a0});
    }

    @Override
    public byte getByte(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getByte(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Byte) call(M24, new Object[] {a0});
    }

    @Override
    public byte[] getBytes(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getBytes(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (byte[]) call(M25, new Object[] {a0});
    }

    @Override
    public byte[] getBytes(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getBytes(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (byte[]) call(M26, new Object[] {a0});
    }

    @Override
    public java.io.Reader getCharacterStream(java.lang.String a0) throws SQLException {
        return (java.io.Reader) call(M27, new Object[] {a0});
    }

    @Override
    public java.io.Reader getCharacterStream(int a0) throws SQLException {
        return (java.io.Reader) call(M28, new Object[] {a0});
    }

    @Override
    public java.sql.Clob getClob(java.lang.String a0) throws SQLException {
        return (java.sql.Clob) call(M29, new Object[] {a0});
    }

    @Override
    public java.sql.Clob getClob(int a0) throws SQLException {
        return (java.sql.Clob) call(M30, new Object[] {a0});
    }

    @Override
    public int getConcurrency() throws SQLException {
        return (Integer) call(M31, null);
    }

    @Override
    public java.lang.String getCursorName() throws SQLException {
        return (java.lang.String) call(M32, null);
    }

    @Override
    public java.sql.Date getDate(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        return (java.sql.Date) call(M33, new Object[] {a0, a1});
    }

    @Override
    public java.sql.Date getDate(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getDate(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.sql.Date) call(M34, new Object[] {a0});
    }

    @Override
    public java.sql.Date getDate(int a0, java.util.Calendar a1) throws SQLException {
        return (java.sql.Date) call(M35, new Object[] {a0, a1});
    }

    @Override
    public java.sql.Date getDate(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getDate(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.sql.Date) call(M36, new Object[] {a0});
    }

    @Override
    public double getDouble(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getDouble(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Double) call(M37, new Object[] {a0});
    }

    @Override
    public double getDouble(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getDouble(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Double) call(M38, new Object[] {a0});
    }

    @Override
    public int getFetchDirection() throws SQLException {
        return (Integer) call(M39, null);
    }

    @Override
    public int getFetchSize() throws SQLException {
        return (Integer) call(M40, null);
    }

    @Override
    public float getFloat(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getFloat(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Float) call(M41, new Object[] {a0});
    }

    @Override
    public float getFloat(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getFloat(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Float) call(M42, new Object[] {a0});
    }

    @Override
    public int getHoldability() throws SQLException {
        return (Integer) call(M43, null);
    }

    @Override
    public int getInt(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getInt(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Integer) call(M44, new Object[] {a0});
    }

    @Override
    public int getInt(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getInt(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Integer) call(M45, new Object[] {a0});
    }

    @Override
    public long getLong(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getLong(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Long) call(M46, new Object[] {a0});
    }

    @Override
    public long getLong(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getLong(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Long) call(M47, new Object[] {a0});
    }

    @Override
    public java.sql.ResultSetMetaData getMetaData() throws SQLException {
        return (java.sql.ResultSetMetaData) call(M48, null);
    }

    @Override
    public java.io.Reader getNCharacterStream(java.lang.String a0) throws SQLException {
        return (java.io.Reader) call(M49, new Object[] {a0});
    }

    @Override
    public java.io.Reader getNCharacterStream(int a0) throws SQLException {
        return (java.io.Reader) call(M50, new Object[] {a0});
    }

    @Override
    public java.sql.NClob getNClob(java.lang.String a0) throws SQLException {
        return (java.sql.NClob) call(M51, new Object[] {a0});
    }

    @Override
    public java.sql.NClob getNClob(int a0) throws SQLException {
        return (java.sql.NClob) call(M52, new Object[] {a0});
    }

    @Override
    public java.lang.String getNString(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getNString(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.lang.String) call(M53, new Object[] {a0});
    }

    @Override
    public java.lang.String getNString(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getNString(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.lang.String) call(M54, new Object[] {a0});
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getObject(java.lang.String a0, java.lang.Class<T> a1) throws SQLException {
        return (T) call(M55, new Object[] {a0, a1});
    }

    @Override
    public java.lang.Object getObject(java.lang.String a0, java.util.Map<java.lang.String, java.lang.Class<?>> a1) throws SQLException {
        return (java.lang.Object) call(M56, new Object[] {a0, a1});
    }

    @Override
    public java.lang.Object getObject(java.lang.String a0) throws SQLException {
        return (java.lang.Object) call(M57, new Object[] {a0});
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getObject(int a0, java.lang.Class<T> a1) throws SQLException {
        return (T) call(M58, new Object[] {a0, a1});
    }

    @Override
    public java.lang.Object getObject(int a0, java.util.Map<java.lang.String, java.lang.Class<?>> a1) throws SQLException {
        return (java.lang.Object) call(M59, new Object[] {a0, a1});
    }

    @Override
    public java.lang.Object getObject(int a0) throws SQLException {
        return (java.lang.Object) call(M60, new Object[] {a0});
    }

    @Override
    public java.sql.Ref getRef(java.lang.String a0) throws SQLException {
        return (java.sql.Ref) call(M61, new Object[] {a0});
    }

    @Override
    public java.sql.Ref getRef(int a0) throws SQLException {
        return (java.sql.Ref) call(M62, new Object[] {a0});
    }

    @Override
    public int getRow() throws SQLException {
        return (Integer) call(M63, null);
    }

    @Override
    public java.sql.RowId getRowId(java.lang.String a0) throws SQLException {
        return (java.sql.RowId) call(M64, new Object[] {a0});
    }

    @Override
    public java.sql.RowId getRowId(int a0) throws SQLException {
        return (java.sql.RowId) call(M65, new Object[] {a0});
    }

    @Override
    public java.sql.SQLXML getSQLXML(java.lang.String a0) throws SQLException {
        return (java.sql.SQLXML) call(M66, new Object[] {a0});
    }

    @Override
    public java.sql.SQLXML getSQLXML(int a0) throws SQLException {
        return (java.sql.SQLXML) call(M67, new Object[] {a0});
    }

    @Override
    public short getShort(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getShort(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Short) call(M68, new Object[] {a0});
    }

    @Override
    public short getShort(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getShort(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Short) call(M69, new Object[] {a0});
    }

    @Override
    public java.sql.Statement getStatement() throws SQLException {
        return (java.sql.Statement) call(M70, null);
    }

    @Override
    public java.lang.String getString(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getString(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.lang.String) call(M71, new Object[] {a0});
    }

    @Override
    public java.lang.String getString(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getString(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.lang.String) call(M72, new Object[] {a0});
    }

    @Override
    public java.sql.Time getTime(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        return (java.sql.Time) call(M73, new Object[] {a0, a1});
    }

    @Override
    public java.sql.Time getTime(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getTime(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.sql.Time) call(M74, new Object[] {a0});
    }

    @Override
    public java.sql.Time getTime(int a0, java.util.Calendar a1) throws SQLException {
        return (java.sql.Time) call(M75, new Object[] {a0, a1});
    }

    @Override
    public java.sql.Time getTime(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getTime(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.sql.Time) call(M76, new Object[] {a0});
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        return (java.sql.Timestamp) call(M77, new Object[] {a0, a1});
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getTimestamp(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.sql.Timestamp) call(M78, new Object[] {a0});
    }

    @Override
    public java.sql.Timestamp getTimestamp(int a0, java.util.Calendar a1) throws SQLException {
        return (java.sql.Timestamp) call(M79, new Object[] {a0, a1});
    }

    @Override
    public java.sql.Timestamp getTimestamp(int a0) throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.getTimestamp(a0);
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (java.sql.Timestamp) call(M80, new Object[] {a0});
    }

    @Override
    public int getType() throws SQLException {
        return (Integer) call(M81, null);
    }

    @Override
    public java.net.URL getURL(java.lang.String a0) throws SQLException {
        return (java.net.URL) call(M82, new Object[] {a0});
    }

    @Override
    public java.net.URL getURL(int a0) throws SQLException {
        return (java.net.URL) call(M83, new Object[] {a0});
    }

    @Override
    @Deprecated
    public java.io.InputStream getUnicodeStream(java.lang.String a0) throws SQLException {
        return (java.io.InputStream) call(M84, new Object[] {a0});
    }

    @Override
    @Deprecated
    public java.io.InputStream getUnicodeStream(int a0) throws SQLException {
        return (java.io.InputStream) call(M85, new Object[] {a0});
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws SQLException {
        return (java.sql.SQLWarning) call(M86, null);
    }

    @Override
    public void insertRow() throws SQLException {
        call(M87, null);
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        return (Boolean) call(M88, null);
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        return (Boolean) call(M89, null);
    }

    @Override
    public boolean isClosed() throws SQLException {
        return (Boolean) call(M90, null);
    }

    @Override
    public boolean isFirst() throws SQLException {
        return (Boolean) call(M91, null);
    }

    @Override
    public boolean isLast() throws SQLException {
        return (Boolean) call(M92, null);
    }

    @Override
    public boolean isWrapperFor(java.lang.Class<?> a0) throws SQLException {
        return (Boolean) call(M93, new Object[] {a0});
    }

    @Override
    public boolean last() throws SQLException {
        return (Boolean) call(M94, null);
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        call(M95, null);
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        call(M96, null);
    }

    @Override
    public boolean next() throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.next();
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Boolean) call(M97, null);
    }

    @Override
    public boolean previous() throws SQLException {
        return (Boolean) call(M98, null);
    }

    @Override
    public void refreshRow() throws SQLException {
        call(M99, null);
    }

    @Override
    public boolean relative(int a0) throws SQLException {
        return (Boolean) call(M100, new Object[] {a0});
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        return (Boolean) call(M101, null);
    }

    @Override
    public boolean rowInserted() throws SQLException {
        return (Boolean) call(M102, null);
    }

    @Override
    public boolean rowUpdated() throws SQLException {
        return (Boolean) call(M103, null);
    }

    @Override
    public void setFetchDirection(int a0) throws SQLException {
        call(M104, new Object[] {a0});
    }

    @Override
    public void setFetchSize(int a0) throws SQLException {
        call(M105, new Object[] {a0});
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T unwrap(java.lang.Class<T> a0) throws SQLException {
        return (T) call(M106, new Object[] {a0});
    }

    @Override
    public void updateArray(java.lang.String a0, java.sql.Array a1) throws SQLException {
        call(M107, new Object[] {a0, a1});
    }

    @Override
    public void updateArray(int a0, java.sql.Array a1) throws SQLException {
        call(M108, new Object[] {a0, a1});
    }

    @Override
    public void updateAsciiStream(java.lang.String a0, java.io.InputStream a1, int a2) throws SQLException {
        call(M109, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateAsciiStream(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        call(M110, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateAsciiStream(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        call(M111, new Object[] {a0, a1});
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        call(M112, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
        call(M113, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1) throws SQLException {
        call(M114, new Object[] {a0, a1});
    }

    @Override
    public void updateBigDecimal(java.lang.String a0, java.math.BigDecimal a1) throws SQLException {
        call(M115, new Object[] {a0, a1});
    }

    @Override
    public void updateBigDecimal(int a0, java.math.BigDecimal a1) throws SQLException {
        call(M116, new Object[] {a0, a1});
    }

    @Override
    public void updateBinaryStream(java.lang.String a0, java.io.InputStream a1, int a2) throws SQLException {
        call(M117, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateBinaryStream(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        call(M118, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateBinaryStream(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        call(M119, new Object[] {a0, a1});
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        call(M120, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
        call(M121, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1) throws SQLException {
        call(M122, new Object[] {a0, a1});
    }

    @Override
    public void updateBlob(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        call(M123, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateBlob(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        call(M124, new Object[] {a0, a1});
    }

    @Override
    public void updateBlob(java.lang.String a0, java.sql.Blob a1) throws SQLException {
        call(M125, new Object[] {a0, a1});
    }

    @Override
    public void updateBlob(int a0, java.io.InputStream a1, long a2) throws SQLException {
        call(M126, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateBlob(int a0, java.io.InputStream a1) throws SQLException {
        call(M127, new Object[] {a0, a1});
    }

    @Override
    public void updateBlob(int a0, java.sql.Blob a1) throws SQLException {
        call(M128, new Object[] {a0, a1});
    }

    @Override
    public void updateBoolean(java.lang.String a0, boolean a1) throws SQLException {
        call(M129, new Object[] {a0, a1});
    }

    @Override
    public void updateBoolean(int a0, boolean a1) throws SQLException {
        call(M130, new Object[] {a0, a1});
    }

    @Override
    public void updateByte(java.lang.String a0, byte a1) throws SQLException {
        call(M131, new Object[] {a0, a1});
    }

    @Override
    public void updateByte(int a0, byte a1) throws SQLException {
        call(M132, new Object[] {a0, a1});
    }

    @Override
    public void updateBytes(java.lang.String a0, byte[] a1) throws SQLException {
        call(M133, new Object[] {a0, a1});
    }

    @Override
    public void updateBytes(int a0, byte[] a1) throws SQLException {
        call(M134, new Object[] {a0, a1});
    }

    @Override
    public void updateCharacterStream(java.lang.String a0, java.io.Reader a1, int a2) throws SQLException {
        call(M135, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateCharacterStream(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        call(M136, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateCharacterStream(java.lang.String a0, java.io.Reader a1) throws SQLException {
        call(M137, new Object[] {a0, a1});
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1, int a2) throws SQLException {
        call(M138, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
        call(M139, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1) throws SQLException {
        call(M140, new Object[] {a0, a1});
    }

    @Override
    public void updateClob(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        call(M141, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateClob(java.lang.String a0, java.io.Reader a1) throws SQLException {
        call(M142, new Object[] {a0, a1});
    }

    @Override
    public void updateClob(java.lang.String a0, java.sql.Clob a1) throws SQLException {
        call(M143, new Object[] {a0, a1});
    }

    @Override
    public void updateClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        call(M144, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateClob(int a0, java.io.Reader a1) throws SQLException {
        call(M145, new Object[] {a0, a1});
    }

    @Override
    public void updateClob(int a0, java.sql.Clob a1) throws SQLException {
        call(M146, new Object[] {a0, a1});
    }

    @Override
    public void updateDate(java.lang.String a0, java.sql.Date a1) throws SQLException {
        call(M147, new Object[] {a0, a1});
    }

    @Override
    public void updateDate(int a0, java.sql.Date a1) throws SQLException {
        call(M148, new Object[] {a0, a1});
    }

    @Override
    public void updateDouble(java.lang.String a0, double a1) throws SQLException {
        call(M149, new Object[] {a0, a1});
    }

    @Override
    public void updateDouble(int a0, double a1) throws SQLException {
        call(M150, new Object[] {a0, a1});
    }

    @Override
    public void updateFloat(java.lang.String a0, float a1) throws SQLException {
        call(M151, new Object[] {a0, a1});
    }

    @Override
    public void updateFloat(int a0, float a1) throws SQLException {
        call(M152, new Object[] {a0, a1});
    }

    @Override
    public void updateInt(java.lang.String a0, int a1) throws SQLException {
        call(M153, new Object[] {a0, a1});
    }

    @Override
    public void updateInt(int a0, int a1) throws SQLException {
        call(M154, new Object[] {a0, a1});
    }

    @Override
    public void updateLong(java.lang.String a0, long a1) throws SQLException {
        call(M155, new Object[] {a0, a1});
    }

    @Override
    public void updateLong(int a0, long a1) throws SQLException {
        call(M156, new Object[] {a0, a1});
    }

    @Override
    public void updateNCharacterStream(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        call(M157, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateNCharacterStream(java.lang.String a0, java.io.Reader a1) throws SQLException {
        call(M158, new Object[] {a0, a1});
    }

    @Override
    public void updateNCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
        call(M159, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateNCharacterStream(int a0, java.io.Reader a1) throws SQLException {
        call(M160, new Object[] {a0, a1});
    }

    @Override
    public void updateNClob(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        call(M161, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateNClob(java.lang.String a0, java.io.Reader a1) throws SQLException {
        call(M162, new Object[] {a0, a1});
    }

    @Override
    public void updateNClob(java.lang.String a0, java.sql.NClob a1) throws SQLException {
        call(M163, new Object[] {a0, a1});
    }

    @Override
    public void updateNClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        call(M164, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateNClob(int a0, java.io.Reader a1) throws SQLException {
        call(M165, new Object[] {a0, a1});
    }

    @Override
    public void updateNClob(int a0, java.sql.NClob a1) throws SQLException {
        call(M166, new Object[] {a0, a1});
    }

    @Override
    public void updateNString(java.lang.String a0, java.lang.String a1) throws SQLException {
        call(M167, new Object[] {a0, a1});
    }

    @Override
    public void updateNString(int a0, java.lang.String a1) throws SQLException {
        call(M168, new Object[] {a0, a1});
    }

    @Override
    public void updateNull(java.lang.String a0) throws SQLException {
        call(M169, new Object[] {a0});
    }

    @Override
    public void updateNull(int a0) throws SQLException {
        call(M170, new Object[] {a0});
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1, int a2) throws SQLException {
        call(M171, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1, java.sql.SQLType a2, int a3) throws SQLException {
        call(M172, new Object[] {a0, a1, a2, a3});
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1, java.sql.SQLType a2) throws SQLException {
        call(M173, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1) throws SQLException {
        call(M174, new Object[] {a0, a1});
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1, int a2) throws SQLException {
        call(M175, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1, java.sql.SQLType a2, int a3) throws SQLException {
        call(M176, new Object[] {a0, a1, a2, a3});
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1, java.sql.SQLType a2) throws SQLException {
        call(M177, new Object[] {a0, a1, a2});
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1) throws SQLException {
        call(M178, new Object[] {a0, a1});
    }

    @Override
    public void updateRef(java.lang.String a0, java.sql.Ref a1) throws SQLException {
        call(M179, new Object[] {a0, a1});
    }

    @Override
    public void updateRef(int a0, java.sql.Ref a1) throws SQLException {
        call(M180, new Object[] {a0, a1});
    }

    @Override
    public void updateRow() throws SQLException {
        call(M181, null);
    }

    @Override
    public void updateRowId(java.lang.String a0, java.sql.RowId a1) throws SQLException {
        call(M182, new Object[] {a0, a1});
    }

    @Override
    public void updateRowId(int a0, java.sql.RowId a1) throws SQLException {
        call(M183, new Object[] {a0, a1});
    }

    @Override
    public void updateSQLXML(java.lang.String a0, java.sql.SQLXML a1) throws SQLException {
        call(M184, new Object[] {a0, a1});
    }

    @Override
    public void updateSQLXML(int a0, java.sql.SQLXML a1) throws SQLException {
        call(M185, new Object[] {a0, a1});
    }

    @Override
    public void updateShort(java.lang.String a0, short a1) throws SQLException {
        call(M186, new Object[] {a0, a1});
    }

    @Override
    public void updateShort(int a0, short a1) throws SQLException {
        call(M187, new Object[] {a0, a1});
    }

    @Override
    public void updateString(java.lang.String a0, java.lang.String a1) throws SQLException {
        call(M188, new Object[] {a0, a1});
    }

    @Override
    public void updateString(int a0, java.lang.String a1) throws SQLException {
        call(M189, new Object[] {a0, a1});
    }

    @Override
    public void updateTime(java.lang.String a0, java.sql.Time a1) throws SQLException {
        call(M190, new Object[] {a0, a1});
    }

    @Override
    public void updateTime(int a0, java.sql.Time a1) throws SQLException {
        call(M191, new Object[] {a0, a1});
    }

    @Override
    public void updateTimestamp(java.lang.String a0, java.sql.Timestamp a1) throws SQLException {
        call(M192, new Object[] {a0, a1});
    }

    @Override
    public void updateTimestamp(int a0, java.sql.Timestamp a1) throws SQLException {
        call(M193, new Object[] {a0, a1});
    }

    @Override
    public boolean wasNull() throws SQLException {
        ResultSet rs = handler.plain();
        if (rs != null) {
            try {
                return rs.wasNull();
            } catch (SQLException e) {
                throw handler.unrecoverable(e);
            }
        }
        return (Boolean) call(M194, null);
    }
}
