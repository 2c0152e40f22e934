package dev.resilientjdbc.connection;

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
    // Parameters by index: entries 2i and 2i+1 hold the method and the argument array of parameter i's setter, as
    // the proxy handed them over (no Recorded object per setter, no map, no boxing). Made at the first parameter.
    private Object[] indexed;
    // The indexes bound to a value that cannot be sent twice; made when the first such value is bound (rare).
    private java.util.BitSet unrepeatableAt;
    // Named parameters and out parameters, rare: made on first use.
    private Map<Object, Recorded> named;
    // Pending batch entries: a Recorded addBatch(sql), or the parameters of one addBatch() as a pairs array (see
    // parameterPairs). Made at the first addBatch.
    private List<Object> batch;
    private int nonRepeatable;
    private boolean batchNonRepeatable;

    /** {@code args}: the creating call's own array (the proxies make a fresh one per call): kept, not copied. */
    public StatementRecipe(Method creation, Object[] args) {
        this.creation = new Recorded(creation, args, false);
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
                if (indexed != null) {
                    java.util.Arrays.fill(indexed, null);
                }
                unrepeatableAt = null;
                named = null;
                nonRepeatable = 0;
                return true;
            case ADD_BATCH:
                batch().add(args == null || args.length == 0 ? parameterPairs() : new Recorded(m, args, false));
                batchNonRepeatable |= nonRepeatable > 0;
                return true;
            case CLEAR_BATCH:
            case RUN_BATCH:
                // executeBatch is observed once it has run: a replay inside it must still find the batch.
                if (batch != null) {
                    batch.clear();
                }
                batchNonRepeatable = false;
                return true;
            case PARAMETER:
            case PARAMETER_CHECKED:
            case OUT_PARAMETER:
                boolean unrepeatable = call == StatementCall.PARAMETER_CHECKED && StatementCall.holdsUnrepeatable(args);
                Object key = args[0];
                if (call != StatementCall.OUT_PARAMETER && key instanceof Integer && (Integer) key >= 0 && (Integer) key < 1024) {
                    bindIndexed((Integer) key, m, args, unrepeatable);
                    return true;
                }
                if (named == null) {
                    named = new LinkedHashMap<>();
                }
                Recorded old = named.put(call == StatementCall.OUT_PARAMETER ? "out:" + key : key, new Recorded(m, args, unrepeatable));
                if (old != null && old.unrepeatable) {
                    nonRepeatable--;
                }
                if (unrepeatable) {
                    nonRepeatable++;
                }
                return true;
            default:
                return false;
        }
    }

    /** Puts parameter {@code i}'s setter into its slot, replacing the one it had. */
    private void bindIndexed(int i, Method m, Object[] args, boolean unrepeatable) {
        if (indexed == null) {
            indexed = new Object[2 * Math.max(8, i + 1)];
        } else if (2 * i >= indexed.length) {
            indexed = java.util.Arrays.copyOf(indexed, 2 * Math.max(i + 1, indexed.length));
        }
        if (unrepeatableAt != null && unrepeatableAt.get(i)) {
            unrepeatableAt.clear(i);
            nonRepeatable--;
        }
        indexed[2 * i] = m;
        indexed[2 * i + 1] = args;
        if (unrepeatable) {
            if (unrepeatableAt == null) {
                unrepeatableAt = new java.util.BitSet();
            }
            unrepeatableAt.set(i);
            nonRepeatable++;
        }
    }

    private List<Object> batch() {
        if (batch == null) {
            batch = new ArrayList<>();
        }
        return batch;
    }

    private int batchSize() {
        return batch == null ? 0 : batch.size();
    }

    private static final Object[] NO_PAIRS = {};

    /**
     * Every bound parameter as {method, args} pairs in one array: by index first, then named and out parameters
     * in the order they were first bound. What a snapshot or a batch entry keeps: one array, not an object each.
     */
    private Object[] parameterPairs() {
        int n = named == null ? 0 : named.size();
        if (indexed != null) {
            for (int k = 0; k < indexed.length; k += 2) {
                n += indexed[k] != null ? 1 : 0;
            }
        }
        if (n == 0) {
            return NO_PAIRS;
        }
        Object[] pairs = new Object[2 * n];
        int at = 0;
        if (indexed != null) {
            for (int k = 0; k < indexed.length; k += 2) {
                if (indexed[k] != null) {
                    pairs[at++] = indexed[k];
                    pairs[at++] = indexed[k + 1];
                }
            }
        }
        if (named != null) {
            for (Recorded r : named.values()) {
                pairs[at++] = r.method;
                pairs[at++] = r.args;
            }
        }
        return pairs;
    }

    private static void applyPairs(Statement s, Object[] pairs) throws SQLException {
        for (int k = 0; k < pairs.length; k += 2) {
            Recorded.apply((Method) pairs[k], (Object[]) pairs[k + 1], s);
        }
    }

    /** False while a bound parameter cannot be bound again on another connection. */
    public boolean repeatable() {
        return creation != null && nonRepeatable == 0 && !batchNonRepeatable;
    }

    /**
     * Whether the statement was made with its text alone (prepareStatement(sql), createStatement()): no generated
     * keys asked for, no cursor options, no callable's out parameters, nothing that cannot be bound again.
     */
    public boolean plainlyMade() {
        if (creation == null || named != null || !repeatable()) {
            return false;
        }
        String m = creation.method.getName();
        int n = creation.args == null ? 0 : creation.args.length;
        return "prepareStatement".equals(m) && n == 1 || "createStatement".equals(m) && n == 0;
    }

    /** What changes when a setting is made (the settings list is copied on write): see {@link #applySettings}. */
    public Object settingsStamp() {
        return settings;
    }

    /** Puts the application's settings (timeout, max rows, ...) on {@code s}, a statement of ours that runs its text. */
    public void applySettings(Statement s) throws SQLException {
        for (Recorded r : settings) {
            r.applyTo(s);
        }
    }

    /**
     * Binds the application's parameters on {@code s}, whose text puts {@code shift} parameters of ours before the
     * application's own (one array copy per parameter: a path taken only by resilient.autocommit.exactlyOnce).
     */
    public void bindAfter(PreparedStatement s, int shift) throws SQLException {
        s.clearParameters();
        if (indexed == null) {
            return;
        }
        for (int k = 0; k < indexed.length; k += 2) {
            if (indexed[k] != null) {
                Object[] a = ((Object[]) indexed[k + 1]).clone();
                a[0] = (Integer) a[0] + shift;
                Recorded.apply((Method) indexed[k], a, s);
            }
        }
    }

    /** Makes the statement again on {@code physical}, with everything recorded. */
    public Statement recreate(Connection physical) throws SQLException {
        Statement s = createBare(physical);
        for (Recorded r : settings) {
            r.applyTo(s);
        }
        addBatchEntries(s, batch);
        applyPairs(s, parameterPairs());
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
        applyPairs(s, parameterPairs());
    }

    /**
     * What one execution runs with, to run it again exactly so in a replay: the settings and parameters
     * bound now, and for {@code executeBatch} the pending batch.
     */
    public Object snapshot(boolean runsBatch) {
        return new Execution(settings, parameterPairs(), runsBatch ? (batch == null ? new ArrayList<>() : new ArrayList<>(batch)) : null);
    }

    /** A rough size of what a snapshot holds, for the transaction log's memory bound. */
    public long snapshotSize() {
        int n = named == null ? 0 : named.size();
        if (indexed != null) {
            for (int k = 0; k < indexed.length; k += 2) {
                n += indexed[k] != null ? 1 : 0;
            }
        }
        return 48L * (n + batchSize());
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
        applyPairs(s, e.parameters);
        if (e.batch != null) {
            s.clearBatch();
            addBatchEntries(s, e.batch);
        }
    }

    private static void addBatchEntries(Statement s, List<Object> entries) throws SQLException {
        if (entries == null) {
            return;
        }
        for (Object entry : entries) {
            if (entry instanceof Recorded) {
                ((Recorded) entry).applyTo(s);
            } else {
                applyPairs(s, (Object[]) entry);
                ((PreparedStatement) s).addBatch();
            }
        }
    }

    /** The settings, parameters and batch of one execution. */
    private static final class Execution {
        final List<Recorded> settings;
        // {method, args} pairs, see parameterPairs()
        final Object[] parameters;
        final List<Object> batch;

        Execution(List<Recorded> settings, Object[] parameters, List<Object> batch) {
            this.settings = settings;
            this.parameters = parameters;
            this.batch = batch;
        }
    }
}
