package dev.resilientjdbc.reconnect;

import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to make a statement again on a new physical connection: the Connection call that created it,
 * its settings (fetch size, max rows, timeout, ...), its bound parameters and its pending batch.
 * Parameters that cannot be given twice (a stream, a LOB or an array tied to the old connection)
 * make the statement non-repeatable until they are replaced or cleared.
 */
public final class StatementRecipe {
    private final Recorded creation;
    private final String sql;
    private final Map<String, Recorded> settings = new LinkedHashMap<>();
    private final Map<Object, Recorded> parameters = new LinkedHashMap<>();
    private final List<Object> batch = new ArrayList<>();
    private int nonRepeatable;
    private boolean batchNonRepeatable;

    public StatementRecipe(Method creation, Object[] args) {
        this.creation = new Recorded(creation, args);
        this.sql = args != null && args.length > 0 && args[0] instanceof String ? (String) args[0] : null;
    }

    private StatementRecipe() {
        this.creation = null;
        this.sql = null;
    }

    /** For a statement the real driver made by itself (behind a metadata result set): it cannot be made again. */
    public static StatementRecipe foreign() {
        return new StatementRecipe();
    }

    public boolean isForeign() {
        return creation == null;
    }

    /** The SQL a prepared or callable statement was created with; null for a plain Statement. */
    public String sql() {
        return sql;
    }

    /** What a call on the statement means for the recipe; returns true when it was recorded. */
    public boolean observe(Method m, Object[] args) {
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
            case "closeOnCompletion":
                settings.remove(name);
                settings.put(name, new Recorded(m, args));
                return true;
            case "clearParameters":
                parameters.clear();
                nonRepeatable = 0;
                return true;
            case "addBatch":
                batch.add(args == null || args.length == 0 ? snapshot() : new Recorded(m, args));
                batchNonRepeatable |= nonRepeatable > 0;
                return true;
            case "clearBatch":
            case "executeBatch":
            case "executeLargeBatch":
                batch.clear();
                batchNonRepeatable = false;
                return true;
            default:
                break;
        }
        if ((name.startsWith("set") || name.equals("registerOutParameter")) && args != null && args.length >= 2
                && (args[0] instanceof Integer || args[0] instanceof String)
                && PreparedStatement.class.isAssignableFrom(m.getDeclaringClass())) {
            Object key = name.equals("registerOutParameter") ? "out:" + args[0] : args[0];
            Recorded old = parameters.put(key, new Recorded(m, args));
            if (old != null && !repeatable(old)) {
                nonRepeatable--;
            }
            if (!repeatable(parameters.get(key))) {
                nonRepeatable++;
            }
            return true;
        }
        return false;
    }

    /** False while a bound parameter cannot be bound again on another connection. */
    public boolean repeatable() {
        return creation != null && nonRepeatable == 0 && !batchNonRepeatable;
    }

    /** Makes the statement again on {@code physical}, with everything recorded. */
    public Statement recreate(Connection physical) throws SQLException {
        if (creation == null) {
            throw new SQLException("resilient-jdbc: this statement was made by the driver itself and died with its connection", "08003");
        }
        Statement s;
        try {
            s = (Statement) creation.method.invoke(physical, creation.args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof SQLException) {
                throw (SQLException) e.getCause();
            }
            throw new SQLException("could not re-create a statement on a new connection: " + e.getCause(), "08003", e.getCause());
        } catch (IllegalAccessException e) {
            throw new SQLException("could not re-create a statement: " + e, "08003", e);
        }
        for (Recorded r : settings.values()) {
            r.applyTo(s);
        }
        addBatchEntries(s, batch);
        for (Recorded p : parameters.values()) {
            p.applyTo(s);
        }
        return s;
    }

    /** The parameters bound now, to run the statement again later exactly as it ran now; null when none. */
    public Object parameterSnapshot() {
        return parameters.isEmpty() ? null : new ArrayList<>(parameters.values());
    }

    /** Whether {@code m} runs the pending batch. */
    public static boolean runsBatch(Method m) {
        String n = m.getName();
        return n.equals("executeBatch") || n.equals("executeLargeBatch");
    }

    /** The pending batch, taken before {@code executeBatch} runs; null when it is empty. */
    public Object batchSnapshot() {
        return batch.isEmpty() ? null : new ArrayList<>(batch);
    }

    /** A rough size of what the snapshots hold, for the transaction log's memory bound. */
    public long snapshotSize() {
        return 48L * (parameters.size() + batch.size());
    }

    /** Binds a parameter snapshot on {@code s}. */
    @SuppressWarnings("unchecked")
    public void applyParameters(Statement s, Object snapshot) throws SQLException {
        if (snapshot == null) {
            return;
        }
        ((PreparedStatement) s).clearParameters();
        for (Recorded r : (List<Recorded>) snapshot) {
            r.applyTo(s);
        }
    }

    /** Adds a batch snapshot to {@code s}. */
    @SuppressWarnings("unchecked")
    public void applyBatch(Statement s, Object snapshot) throws SQLException {
        if (snapshot == null) {
            return;
        }
        s.clearBatch();
        addBatchEntries(s, (List<Object>) snapshot);
    }

    private static void addBatchEntries(Statement s, List<Object> entries) throws SQLException {
        for (Object entry : entries) {
            if (entry instanceof Recorded) {
                ((Recorded) entry).applyTo(s);
            } else {
                for (Recorded p : ((ParameterSet) entry).parameters) {
                    p.applyTo(s);
                }
                ((PreparedStatement) s).addBatch();
            }
        }
    }

    private ParameterSet snapshot() {
        return new ParameterSet(new ArrayList<>(parameters.values()));
    }

    private static boolean repeatable(Recorded r) {
        for (Object a : r.args) {
            if (a instanceof InputStream || a instanceof Reader || a instanceof Blob || a instanceof Clob
                    || a instanceof Array || a instanceof Ref || a instanceof SQLXML) {
                return false;
            }
        }
        return true;
    }

    /** Parameters bound when addBatch() was called. */
    private static final class ParameterSet {
        final List<Recorded> parameters;

        ParameterSet(List<Recorded> parameters) {
            this.parameters = parameters;
        }
    }
}
