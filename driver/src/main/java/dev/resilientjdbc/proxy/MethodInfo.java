package dev.resilientjdbc.proxy;

import dev.resilientjdbc.connection.SessionState;
import dev.resilientjdbc.connection.StatementCall;

import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the handlers need to know about an interface method, worked out once per method so the
 * hot path (ResultSet getters, next()) is one map lookup and a reflective call.
 */
final class MethodInfo {
    /** Methods the proxies answer or watch themselves. */
    enum Special { NONE, EQUALS, HASH_CODE, TO_STRING, UNWRAP, IS_WRAPPER_FOR, CLOSE, IS_CLOSED, GET_CONNECTION, GET_STATEMENT, GET_URL }

    /** What a call on a Connection proxy is, for {@link ConnectionHandler}; NONE for everything it passes through. */
    enum ConnectionCall { NONE, ABORT, COMMIT, ROLLBACK, SAVEPOINT_USE, SET_SAVEPOINT, SET_AUTOCOMMIT, SETTER, OUT_OF_SIGHT }

    /** What to do with the real object's return value. */
    enum Returns { PLAIN, STATEMENT, PREPARED_STATEMENT, CALLABLE_STATEMENT, RESULT_SET, METADATA, ARRAY, MAYBE_RESULT_SET }

    private static final ConcurrentHashMap<Method, MethodInfo> CACHE = new ConcurrentHashMap<>();
    private static final ReentrantLock GROW = new ReentrantLock();
    // Open-addressing table keyed by Method identity: {method, info, method, info, ...}. Proxies pass the same
    // Method object on every call, so a hit costs an identity hash and a compare, not Method.equals.
    // Copied on every insert and published through the volatile write: readers never lock.
    private static volatile Object[] byIdentity = new Object[2 * 256];
    private static int entries;

    final Special special;
    final Returns returns;
    /** Runs SQL on a statement (not a batch): what the retry layer guards. */
    final boolean execute;
    /** executeQuery: timed as a query, never run in a transaction of our own. */
    final boolean query;
    /** Commit, rollback, savepoints, abort and the session setters of Connection. */
    final ConnectionCall connectionCall;
    /** A result-set call whose answer the application sees: recorded inside explicit transactions. */
    final boolean observed;
    /** Takes an Array or Object argument, which may be one of our Array proxies to unwrap. */
    final boolean mayTakeArray;

    /** What a statement call means for the statement's recipe (OTHER for non-statement methods). */
    final StatementCall statementCall;
    /** A row read made directly on the real result set ({@link ResultSetReads}), or {@link ResultSetReads#NONE}. */
    final int read;

    private MethodInfo(Special special, Returns returns, boolean execute, boolean query, boolean observed, boolean mayTakeArray,
                       StatementCall statementCall, int read, ConnectionCall connectionCall) {
        this.special = special;
        this.returns = returns;
        this.execute = execute;
        this.query = query;
        this.connectionCall = connectionCall;
        this.observed = observed;
        this.mayTakeArray = mayTakeArray;
        this.statementCall = statementCall;
        this.read = read;
    }

    static MethodInfo of(Method m) {
        Object[] t = byIdentity;
        int mask = (t.length >> 1) - 1;
        for (int i = System.identityHashCode(m) & mask; ; i = (i + 1) & mask) {
            Object k = t[2 * i];
            if (k == m) {
                return (MethodInfo) t[2 * i + 1];
            }
            if (k == null) {
                return remember(m);
            }
        }
    }

    private static MethodInfo remember(Method m) {
        // The very Method object the proxy hands us on every call, and the one we invoke on the real object.
        dev.resilientjdbc.replay.Reflective.accessible(m);
        // Equal Methods of different proxy classes share one analysis.
        MethodInfo info = CACHE.computeIfAbsent(m, MethodInfo::analyse);
        GROW.lock();
        try {
            Object[] t = byIdentity;
            int slots = t.length >> 1;
            if (contains(t, m)) {
                return info;
            }
            Object[] copy = (entries + 1) * 2 > slots ? rehash(t, slots * 2) : t.clone();
            put(copy, m, info);
            entries++;
            byIdentity = copy;
            return info;
        } finally {
            GROW.unlock();
        }
    }

    private static boolean contains(Object[] t, Method m) {
        int mask = (t.length >> 1) - 1;
        for (int i = System.identityHashCode(m) & mask; t[2 * i] != null; i = (i + 1) & mask) {
            if (t[2 * i] == m) {
                return true;
            }
        }
        return false;
    }

    private static Object[] rehash(Object[] t, int slots) {
        Object[] out = new Object[2 * slots];
        for (int i = 0; i < t.length; i += 2) {
            if (t[i] != null) {
                put(out, (Method) t[i], (MethodInfo) t[i + 1]);
            }
        }
        return out;
    }

    private static void put(Object[] t, Method m, MethodInfo info) {
        int mask = (t.length >> 1) - 1;
        int i = System.identityHashCode(m) & mask;
        while (t[2 * i] != null) {
            i = (i + 1) & mask;
        }
        t[2 * i] = m;
        t[2 * i + 1] = info;
    }

    private static MethodInfo analyse(Method m) {
        boolean takesArray = false;
        for (Class<?> p : m.getParameterTypes()) {
            takesArray |= p == java.sql.Array.class || p == Object.class;
        }
        StatementCall call = Statement.class.isAssignableFrom(m.getDeclaringClass()) ? StatementCall.of(m) : StatementCall.OTHER;
        boolean execute = isExecute(m);
        return new MethodInfo(special(m), returns(m.getReturnType()), execute, execute && m.getName().equals("executeQuery"),
                isObserved(m), takesArray && !m.getName().equals("equals"), call, ResultSetReads.of(m), connectionCall(m));
    }

    // By name, as the connection handler decided per call before: only its proxies read this.
    private static ConnectionCall connectionCall(Method m) {
        switch (m.getName()) {
            case "abort":
                return ConnectionCall.ABORT;
            case "commit":
                return ConnectionCall.COMMIT;
            case "rollback":
                return m.getParameterCount() == 0 ? ConnectionCall.ROLLBACK : ConnectionCall.SAVEPOINT_USE;
            case "releaseSavepoint":
                return ConnectionCall.SAVEPOINT_USE;
            case "setSavepoint":
                return ConnectionCall.SET_SAVEPOINT;
            case "getCopyAPI":      // PGConnection: a CopyManager on the real connection
            case "getQueryExecutor": // BaseConnection: what new CopyManager(connection) drives
                return m.getParameterCount() == 0 ? ConnectionCall.OUT_OF_SIGHT : ConnectionCall.NONE;
            default:
                break;
        }
        if (!SessionState.isSetter(m)) {
            return ConnectionCall.NONE;
        }
        return m.getName().equals("setAutoCommit") ? ConnectionCall.SET_AUTOCOMMIT : ConnectionCall.SETTER;
    }

    private static Special special(Method m) {
        int n = m.getParameterCount();
        switch (m.getName()) {
            case "equals":
                return n == 1 && m.getParameterTypes()[0] == Object.class ? Special.EQUALS : Special.NONE;
            case "hashCode":
                return n == 0 ? Special.HASH_CODE : Special.NONE;
            case "toString":
                return n == 0 ? Special.TO_STRING : Special.NONE;
            case "unwrap":
                return n == 1 && m.getParameterTypes()[0] == Class.class ? Special.UNWRAP : Special.NONE;
            case "isWrapperFor":
                return n == 1 && m.getParameterTypes()[0] == Class.class ? Special.IS_WRAPPER_FOR : Special.NONE;
            case "close":
                return n == 0 ? Special.CLOSE : Special.NONE;
            case "isClosed":
                return n == 0 ? Special.IS_CLOSED : Special.NONE;
            case "getConnection":
                return n == 0 && Connection.class.isAssignableFrom(m.getReturnType()) ? Special.GET_CONNECTION : Special.NONE;
            case "getStatement":
                return n == 0 && Statement.class.isAssignableFrom(m.getReturnType()) ? Special.GET_STATEMENT : Special.NONE;
            case "getURL": // DatabaseMetaData's: it names the URL the application connected with
                return n == 0 && m.getReturnType() == String.class ? Special.GET_URL : Special.NONE;
            default:
                return Special.NONE;
        }
    }

    private static boolean isObserved(Method m) {
        if (!java.sql.ResultSet.class.isAssignableFrom(m.getDeclaringClass())) {
            return false;
        }
        switch (m.getName()) {
            case "close":
            case "isClosed":
            case "getStatement":
            case "getMetaData":
            case "getWarnings":
            case "clearWarnings":
            case "getHoldability":
            case "getType":
            case "getConcurrency":
            case "getFetchSize":
            case "getFetchDirection":
            case "getCursorName":
            case "unwrap":
            case "isWrapperFor":
            case "equals":
            case "hashCode":
            case "toString":
                return false;
            default:
                return true;
        }
    }

    private static boolean isExecute(Method m) {
        if (!Statement.class.isAssignableFrom(m.getDeclaringClass())) {
            return false;
        }
        switch (m.getName()) {
            case "execute":
            case "executeQuery":
            case "executeUpdate":
            case "executeLargeUpdate":
                return true;
            default:
                // executeBatch is not here: a batch may have applied part of its statements before failing.
                return false;
        }
    }

    private static Returns returns(Class<?> type) {
        if (type.isPrimitive() || type == String.class) {
            return Returns.PLAIN;
        }
        if (type == CallableStatement.class) {
            return Returns.CALLABLE_STATEMENT;
        }
        if (type == PreparedStatement.class) {
            return Returns.PREPARED_STATEMENT;
        }
        if (type == Statement.class) {
            return Returns.STATEMENT;
        }
        if (ResultSet.class.isAssignableFrom(type)) {
            return Returns.RESULT_SET;
        }
        if (DatabaseMetaData.class.isAssignableFrom(type)) {
            return Returns.METADATA;
        }
        if (type == java.sql.Array.class) {
            return Returns.ARRAY;
        }
        // getObject() may hand out a ResultSet (a PostgreSQL refcursor): decided per call.
        if (type == Object.class) {
            return Returns.MAYBE_RESULT_SET;
        }
        return Returns.PLAIN;
    }
}
