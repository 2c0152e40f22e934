package dev.resilientjdbc.reconnect;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
    // Parameters by index (slot i for parameter i): a setter replaces an array entry, no map or boxing.
    private Recorded[] indexed = new Recorded[8];
    // Named parameters and out parameters, rare: made on first use.
    private Map<Object, Recorded> named;
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

    /**
     * Keeps what {@code call} means for the recipe; returns true when it was recorded. {@code args}
     * must be the call's own array (the proxies make a fresh one per call): it is kept, not copied.
     */
    public boolean observe(StatementCall call, Method m, Object[] args) {
        switch (call) {
            case SETTING:
            case CLOSE_ON_COMPLETION:
                String name = m.getName();
                settings.remove(name);
                settings.put(name, new Recorded(m, args, false));
                return true;
            case CLEAR_PARAMETERS:
                java.util.Arrays.fill(indexed, null);
                named = null;
                nonRepeatable = 0;
                return true;
            case ADD_BATCH:
                batch.add(args == null || args.length == 0 ? snapshot() : new Recorded(m, args, false));
                batchNonRepeatable |= nonRepeatable > 0;
                return true;
            case CLEAR_BATCH:
            case RUN_BATCH:
                batch.clear();
                batchNonRepeatable = false;
                return true;
            case PARAMETER:
            case PARAMETER_CHECKED:
            case OUT_PARAMETER:
                Recorded r = new Recorded(m, args, call == StatementCall.PARAMETER_CHECKED && StatementCall.holdsUnrepeatable(args));
                Recorded old = bind(call, args[0], r);
                if (old != null && old.unrepeatable) {
                    nonRepeatable--;
                }
                if (r.unrepeatable) {
                    nonRepeatable++;
                }
                return true;
            default:
                return false;
        }
    }

    /** Puts a parameter into its slot: by index in the array (the common case), by name or as an out parameter in the map. */
    private Recorded bind(StatementCall call, Object key, Recorded r) {
        if (call != StatementCall.OUT_PARAMETER && key instanceof Integer) {
            int i = (Integer) key;
            if (i >= 0 && i < 1024) {
                if (i >= indexed.length) {
                    indexed = java.util.Arrays.copyOf(indexed, Math.max(i + 1, indexed.length * 2));
                }
                Recorded old = indexed[i];
                indexed[i] = r;
                return old;
            }
        }
        if (named == null) {
            named = new LinkedHashMap<>();
        }
        return named.put(call == StatementCall.OUT_PARAMETER ? "out:" + key : key, r);
    }

    /** Every bound parameter: by index first, then named and out parameters in the order they were first bound. */
    private List<Recorded> boundParameters() {
        List<Recorded> all = new ArrayList<>();
        for (Recorded r : indexed) {
            if (r != null) {
                all.add(r);
            }
        }
        if (named != null) {
            all.addAll(named.values());
        }
        return all;
    }

    private boolean noParameters() {
        if (named != null && !named.isEmpty()) {
            return false;
        }
        for (Recorded r : indexed) {
            if (r != null) {
                return false;
            }
        }
        return true;
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
        for (Recorded p : boundParameters()) {
            p.applyTo(s);
        }
        return s;
    }

    /** The parameters bound now, to run the statement again later exactly as it ran now; null when none. */
    public Object parameterSnapshot() {
        return noParameters() ? null : boundParameters();
    }

    /** The pending batch, taken before {@code executeBatch} runs; null when it is empty. */
    public Object batchSnapshot() {
        return batch.isEmpty() ? null : new ArrayList<>(batch);
    }

    /** A rough size of what the snapshots hold, for the transaction log's memory bound. */
    public long snapshotSize() {
        int n = named == null ? 0 : named.size();
        for (Recorded r : indexed) {
            n += r != null ? 1 : 0;
        }
        return 48L * (n + batch.size());
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
        return new ParameterSet(boundParameters());
    }

    /** Parameters bound when addBatch() was called. */
    private static final class ParameterSet {
        final List<Recorded> parameters;

        ParameterSet(List<Recorded> parameters) {
            this.parameters = parameters;
        }
    }
}
