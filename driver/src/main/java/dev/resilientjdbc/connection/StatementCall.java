package dev.resilientjdbc.connection;

import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.SQLXML;

/**
 * What a call on a statement means for its {@link StatementRecipe}. Worked out once per method
 * (the proxies keep it with their other per-method facts), so the hot path never looks at a
 * method's name.
 */
public enum StatementCall {
    /** Binds a parameter whose value type can never be a stream or a LOB (setInt, setString, ...). */
    PARAMETER(true, true, false),
    /** Binds a parameter whose value may be one that cannot be sent twice (setObject, setBlob, streams). */
    PARAMETER_CHECKED(true, true, false),
    /** registerOutParameter. */
    OUT_PARAMETER(false, true, false),
    /** A statement setting (fetch size, max rows, timeout, ...). */
    SETTING(true, true, false),
    /** closeOnCompletion: kept like a setting, but it is no setter the application may lose silently. */
    CLOSE_ON_COMPLETION(false, true, false),
    CLEAR_PARAMETERS(false, true, false),
    ADD_BATCH(false, true, false),
    CLEAR_BATCH(false, true, false),
    /** executeBatch / executeLargeBatch. */
    RUN_BATCH(false, true, true),
    /** getResultSet, getUpdateCount, getLargeUpdateCount, getMoreResults: answers a replay must give again. */
    RESULTS(false, false, true),
    /** getGeneratedKeys: observed like {@link #RESULTS}; its result set has a slot of its own. */
    GENERATED_KEYS(false, false, true),
    /** Anything else: nothing to keep. */
    OTHER(false, false, false);

    /** A set* call the recipe keeps: when the connection is gone, the re-created statement gets it anyway. */
    public final boolean keptSetter;
    /** The call changes what the recipe holds (bound values, settings, the batch). */
    public final boolean changesRecipe;
    /** The application sees what the call answers, so a replay of its transaction must reproduce it. */
    public final boolean observesResults;

    StatementCall(boolean keptSetter, boolean changesRecipe, boolean observesResults) {
        this.keptSetter = keptSetter;
        this.changesRecipe = changesRecipe;
        this.observesResults = observesResults;
    }

    /** Classifies a method of Statement, PreparedStatement, CallableStatement or a vendor statement interface. */
    public static StatementCall of(Method m) {
        String name = m.getName();
        switch (name) {
            case "setFetchSize":
            case "setMaxRows":
            case "setLargeMaxRows":
            case "setQueryTimeout":
            case "setEscapeProcessing":
            case "setPoolable":
            case "setCursorName":
            case "setFetchDirection":
            case "setMaxFieldSize":
                return SETTING;
            case "closeOnCompletion":
                return CLOSE_ON_COMPLETION;
            case "clearParameters":
                return CLEAR_PARAMETERS;
            case "addBatch":
                return ADD_BATCH;
            case "clearBatch":
                return CLEAR_BATCH;
            case "executeBatch":
            case "executeLargeBatch":
                return RUN_BATCH;
            case "getResultSet":
            case "getUpdateCount":
            case "getLargeUpdateCount":
            case "getMoreResults":
                return RESULTS;
            case "getGeneratedKeys":
                return GENERATED_KEYS;
            default:
                break;
        }
        Class<?>[] types = m.getParameterTypes();
        boolean indexed = types.length >= 2 && (types[0] == int.class || types[0] == String.class);
        if (!indexed || !PreparedStatement.class.isAssignableFrom(m.getDeclaringClass())) {
            return OTHER;
        }
        if (name.equals("registerOutParameter")) {
            return OUT_PARAMETER;
        }
        if (!name.startsWith("set")) {
            return OTHER;
        }
        for (int i = 1; i < types.length; i++) {
            if (mayHoldUnrepeatable(types[i])) {
                return PARAMETER_CHECKED;
            }
        }
        return PARAMETER;
    }

    private static final Class<?>[] UNREPEATABLE = {InputStream.class, Reader.class, Blob.class, Clob.class, Array.class,
        Ref.class, SQLXML.class};

    /** Whether a value of declared type {@code t} may be a stream or LOB (true for Object). */
    private static boolean mayHoldUnrepeatable(Class<?> t) {
        for (Class<?> u : UNREPEATABLE) {
            if (t.isAssignableFrom(u) || u.isAssignableFrom(t)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an actual argument list holds a value that cannot be sent twice. */
    static boolean holdsUnrepeatable(Object[] args) {
        for (Object a : args) {
            if (a instanceof InputStream || a instanceof Reader || a instanceof Blob || a instanceof Clob
                    || a instanceof Array || a instanceof Ref || a instanceof SQLXML) {
                return true;
            }
        }
        return false;
    }
}
