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
 * What the application made of one statement: the Connection call that created it, its settings
 * (fetch size, max rows, timeout, ...), its bound parameters and its pending batch. It re-creates the
 * statement on a new physical connection, takes a {@link #snapshot} of what one execution ran with
 * (for a transaction replay), and puts the application's current state back on a physical statement
 * after a replay has bound older values on it. Parameters that cannot be given twice (a stream, a LOB
 * or an array tied to the old connection) make the statement non-repeatable until they are replaced
 * or cleared.
 */
public final class StatementRecipe {
    private final Recorded creation;
    private final String sql;
    // Copy-on-write, in the order last set: a snapshot keeps the list an execution ran with, without copying.
    private List<Recorded> settings = List.of();
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
                List<Recorded> next = new ArrayList<>(settings.size() + 1);
                for (Recorded r : settings) {
                    if (!r.method.getName().equals(name)) {
                        next.add(r);
                    }
                }
                next.add(new Recorded(m, args, false));
                settings = List.copyOf(next);
                return true;
            case CLEAR_PARAMETERS:
                java.util.Arrays.fill(indexed, null);
                named = null;
                nonRepeatable = 0;
                return true;
            case ADD_BATCH:
                batch.add(args == null || args.length == 0 ? parameterSet() : new Recorded(m, args, false));
                batchNonRepeatable |= nonRepeatable > 0;
                return true;
            case CLEAR_BATCH:
            case RUN_BATCH:
                // executeBatch is observed once it has run: a replay inside it must still find the batch.
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
        Statement s = createBare(physical);
        for (Recorded r : settings) {
            r.applyTo(s);
        }
        addBatchEntries(s, batch);
        for (Recorded p : boundParameters()) {
            p.applyTo(s);
        }
        return s;
    }

    /** Makes the statement again on {@code physical} as it was created, with no setting, parameter or batch. */
    public Statement createBare(Connection physical) throws SQLException {
        if (creation == null) {
            throw new SQLException("resilient-jdbc: this statement was made by the driver itself and died with its connection", "08003");
        }
        try {
            return (Statement) creation.method.invoke(physical, creation.args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof SQLException) {
                throw (SQLException) e.getCause();
            }
            throw new SQLException("could not re-create a statement on a new connection: " + e.getCause(), "08003", e.getCause());
        } catch (IllegalAccessException e) {
            throw new SQLException("could not re-create a statement: " + e, "08003", e);
        }
    }

    /**
     * Puts the application's current settings, parameters and pending batch on {@code s}, a statement
     * a replay ran older executions on: whatever the replay bound, the application's next execution
     * runs with what it bound last.
     */
    public void restoreCurrent(Statement s) throws SQLException {
        for (Recorded r : settings) {
            r.applyTo(s);
        }
        s.clearBatch();
        addBatchEntries(s, batch);
        if (s instanceof PreparedStatement) {
            ((PreparedStatement) s).clearParameters();
        }
        for (Recorded p : boundParameters()) {
            p.applyTo(s);
        }
    }

    /**
     * What one execution runs with, to run it again exactly so in a replay: the settings and parameters
     * bound now, and for {@code executeBatch} the pending batch.
     */
    public Object snapshot(boolean runsBatch) {
        List<Recorded> parameters = noParameters() ? List.of() : boundParameters();
        return new Execution(settings, parameters, runsBatch ? new ArrayList<>(batch) : null);
    }

    /** A rough size of what a snapshot holds, for the transaction log's memory bound. */
    public long snapshotSize() {
        int n = named == null ? 0 : named.size();
        for (Recorded r : indexed) {
            n += r != null ? 1 : 0;
        }
        return 48L * (n + batch.size());
    }

    /**
     * Binds a {@link #snapshot} on {@code s}, a statement made by {@link #createBare} for a replay: its
     * settings (a later setting is never in an earlier snapshot, and the bare statement starts without
     * any), exactly its parameters, and for a batch exactly its batch.
     */
    public void applySnapshot(Statement s, Object snapshot) throws SQLException {
        Execution e = (Execution) snapshot;
        for (Recorded r : e.settings) {
            r.applyTo(s);
        }
        if (s instanceof PreparedStatement) {
            ((PreparedStatement) s).clearParameters();
        }
        for (Recorded r : e.parameters) {
            r.applyTo(s);
        }
        if (e.batch != null) {
            s.clearBatch();
            addBatchEntries(s, e.batch);
        }
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

    private ParameterSet parameterSet() {
        return new ParameterSet(boundParameters());
    }

    /** The settings, parameters and batch of one execution. */
    private static final class Execution {
        final List<Recorded> settings;
        final List<Recorded> parameters;
        final List<Object> batch;

        Execution(List<Recorded> settings, List<Recorded> parameters, List<Object> batch) {
            this.settings = settings;
            this.parameters = parameters;
            this.batch = batch;
        }
    }

    /** Parameters bound when addBatch() was called. */
    private static final class ParameterSet {
        final List<Recorded> parameters;

        ParameterSet(List<Recorded> parameters) {
            this.parameters = parameters;
        }
    }
}
