package dev.resilientjdbc.replay;


import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Everything an explicit transaction did and what the application saw of it: each statement call
 * with its parameters, each result-set call, savepoints, and a digest of every answer. Bounded in
 * memory; past the bound, or with input that cannot be given twice, the transaction is marked
 * non-replayable until it ends. One per logical connection, used by one thread at a time (as a
 * JDBC connection is).
 */
public final class TransactionLog {
    private final long maxBytes;
    private final List<Entry> entries = new ArrayList<>();
    // Savepoints as the application holds them → the real savepoint on the current physical connection. Made at the
    // first savepoint: an empty IdentityHashMap is a 64-slot table, allocated for every connection otherwise.
    private Map<Savepoint, Savepoint> savepoints;
    private long bytes;
    private boolean replayable;
    private String notReplayableBecause;
    private boolean wrote;

    public TransactionLog(long maxBytes) {
        this.maxBytes = maxBytes;
        reset();
    }

    /** The transaction ended (commit, rollback): forget it. */
    public void reset() {
        entries.clear();
        if (savepoints != null) {
            savepoints.clear();
        }
        bytes = 0;
        wrote = false;
        replayable = maxBytes > 0;
        notReplayableBecause = maxBytes > 0 ? null : "transaction replay is off (resilient.replay.maxBytes=0)";
    }

    public boolean replayable() {
        return replayable;
    }

    public String notReplayableBecause() {
        return notReplayableBecause;
    }

    /** Whether the transaction ran anything that may have written. */
    public boolean wrote() {
        return wrote;
    }

    public int size() {
        return entries.size();
    }

    public void markNotReplayable(String why) {
        if (replayable) {
            replayable = false;
            notReplayableBecause = why;
            entries.clear();
        }
    }

    private void add(Entry e, long size) {
        if (!replayable) {
            return;
        }
        bytes += size;
        if (bytes > maxBytes) {
            markNotReplayable("the transaction's log passed resilient.replay.maxBytes=" + maxBytes);
            return;
        }
        entries.add(e);
    }

    /** A statement call that ran (execute, a batch, getResultSet, getUpdateCount, ...). */
    public ResultSetTrack recordStatementCall(ReplayableStatement st, Method m, Object[] args, Object result, boolean write,
                                              Object execution) {
        wrote |= write;
        if (!st.repeatable()) {
            markNotReplayable("a statement parameter is a stream, LOB or array that cannot be sent twice");
        }
        ResultSetTrack track = result instanceof ResultSet ? new ResultSetTrack((ResultSet) result, this) : null;
        if (replayable) {
            StatementEntry e = new StatementEntry(st, m, args, execution, track, track != null ? 0 : Observation.of(result));
            add(e, 96 + Observation.sizeOf(args) + st.snapshotSize());
        }
        return track;
    }

    /**
     * A statement call that failed with the database's own answer (a duplicate key, a check constraint):
     * the application saw that error, and on PostgreSQL the server aborted the transaction with it, so a
     * replay runs the call again and must fail the same way.
     */
    public void recordFailedStatementCall(ReplayableStatement st, Method m, Object[] args, SQLException failure, Object execution) {
        if (!st.repeatable()) {
            markNotReplayable("a statement parameter is a stream, LOB or array that cannot be sent twice");
        }
        if (replayable) {
            add(new FailedStatementEntry(st, m, args, execution, failure.getSQLState()),
                    96 + Observation.sizeOf(args) + st.snapshotSize());
        }
    }

    /** A call on a result set read inside the transaction. */
    public void recordRead(ResultSetTrack track, Method m, Object[] args, Object result) {
        if (result instanceof Blob || result instanceof Clob || result instanceof SQLXML || result instanceof InputStream
                || result instanceof Reader) {
            markNotReplayable("the application read a LOB or stream, which cannot be compared on replay");
            return;
        }
        if (replayable) {
            add(new ReadEntry(track, m, args, Observation.of(result)), 48 + Observation.sizeOf(args));
        }
    }

    /**
     * A read that failed with the database's own answer (a cursor a savepoint rollback closed, a value that does
     * not convert): on PostgreSQL that aborted the transaction, so a replay makes the read again and must fail
     * the same way.
     */
    public void recordFailedRead(ResultSetTrack track, Method m, Object[] args, SQLException failure) {
        if (replayable) {
            add(new FailedReadEntry(track, m, args, failure.getSQLState()), 48 + Observation.sizeOf(args));
        }
    }

    /** setSavepoint: the application's savepoint object stays valid across replays. */
    public void recordSavepoint(Method m, Object[] args, Savepoint created) {
        savepoints().put(created, created);
        add(new SavepointEntry(m, args, created), 64);
    }

    /**
     * rollback(Savepoint) trims what came after the savepoint, unless a result set the application still
     * holds was opened or read there: its rows stay readable after the rollback, and only a replay that runs
     * those calls (and the rollback after them) puts it back where the application has it. releaseSavepoint
     * is replayed as it was.
     */
    public void recordSavepointUse(Method m, Savepoint appSavepoint) {
        if (m.getName().equals("rollback")) {
            for (int i = entries.size() - 1; i >= 0; i--) {
                Entry e = entries.get(i);
                if (e instanceof SavepointEntry && ((SavepointEntry) e).appSavepoint == appSavepoint) {
                    List<Entry> after = entries.subList(i + 1, entries.size());
                    if (after.stream().noneMatch(TransactionLog::positionsAnOpenResultSet)) {
                        after.clear();
                    }
                    break;
                }
            }
        }
        add(new SavepointUseEntry(m, appSavepoint), 48);
    }

    private static boolean positionsAnOpenResultSet(Entry e) {
        ResultSetTrack t = e instanceof ReadEntry ? ((ReadEntry) e).track
                : e instanceof FailedReadEntry ? ((FailedReadEntry) e).track
                : e instanceof StatementEntry ? ((StatementEntry) e).produced : null;
        return t != null && !t.closedByApplication();
    }

    /** The real savepoint on the current physical connection for one the application holds. */
    public Savepoint translate(Savepoint appSavepoint) {
        Savepoint real = savepoints == null ? null : savepoints.get(appSavepoint);
        return real != null ? real : appSavepoint;
    }

    private Map<Savepoint, Savepoint> savepoints() {
        if (savepoints == null) {
            savepoints = new IdentityHashMap<>();
        }
        return savepoints;
    }

    /**
     * Runs the whole transaction again on {@code physical} (a new connection, or the same one after a
     * rollback) and checks every answer against what the application saw; on success, result sets the
     * application holds continue on the replayed ones, positioned where it left them.
     */
    public void replay(Connection physical, Predicate<SQLException> attemptBroke) throws SQLException {
        Replay r = new Replay(physical, attemptBroke);
        boolean done = false;
        try {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                long seen;
                try {
                    seen = e.replay(r);
                } catch (SQLException ex) {
                    throw ex;
                } catch (Throwable t) {
                    throw new SQLException("resilient-jdbc: replay failed at call " + (i + 1) + " (" + e + "): " + t, "08006", t);
                }
                if (seen != e.observed) {
                    throw new ReplayDivergedException("resilient-jdbc: the transaction was rolled back and replayed after "
                            + "a failure, but the replay diverged at call " + (i + 1) + " of " + entries.size() + " (" + e
                            + "): the database answered differently than before, so the transaction cannot go on");
                }
            }
            for (Map.Entry<ResultSetTrack, ResultSet> bound : r.results.entrySet()) {
                bound.getKey().rebind(bound.getValue());
            }
            if (!r.savepoints.isEmpty()) {
                savepoints().putAll(r.savepoints);
            }
            for (Map.Entry<ReplayableStatement, Statement> s : r.statements.entrySet()) {
                s.getKey().adoptAfterReplay(s.getValue());
            }
            done = true;
        } finally {
            if (!done) {
                r.discardStatements();
            }
        }
    }

    /** State of one replay run. */
    static final class Replay {
        final Connection physical;
        final Map<ReplayableStatement, Statement> statements = new IdentityHashMap<>();
        final Map<ResultSetTrack, ResultSet> results = new IdentityHashMap<>();
        final Map<Savepoint, Savepoint> savepoints = new IdentityHashMap<>();
        // A failure that breaks this replay attempt (lost connection, deadlock, ...) rather than answers a call.
        final Predicate<SQLException> attemptBroke;

        Replay(Connection physical, Predicate<SQLException> attemptBroke) {
            this.physical = physical;
            this.attemptBroke = attemptBroke;
        }

        /** A replay that did not finish leaves nothing open: its statements are not the application's. */
        void discardStatements() {
            for (Map.Entry<ReplayableStatement, Statement> s : statements.entrySet()) {
                if (s.getValue() != s.getKey().lastPhysical()) {
                    try {
                        s.getValue().close();
                    } catch (SQLException | RuntimeException ignored) {
                        // its connection may be gone too
                    }
                }
            }
        }

        Statement statementFor(ReplayableStatement st) throws SQLException {
            Statement s = statements.get(st);
            if (s == null) {
                s = st.statementForReplay(physical);
                statements.put(st, s);
            }
            return s;
        }
    }

    /**
     * Makes again a call that failed for the application with the database's own answer: the SQLState it
     * fails with now, or a divergence when it succeeds; a failure that breaks the attempt is thrown.
     */
    static long failsAgain(Replay r, Object target, Method method, Object[] args, long observed) throws Throwable {
        try {
            Reflective.invoke(target, method, args);
        } catch (SQLException e) {
            if (r.attemptBroke.test(e)) {
                throw e;
            }
            return Observation.of(e.getSQLState());
        }
        return ~observed; // it failed for the application and succeeds now: diverged
    }

    abstract static class Entry {
        final long observed;

        Entry(long observed) {
            this.observed = observed;
        }

        abstract long replay(Replay r) throws Throwable;
    }

    static final class StatementEntry extends Entry {
        final ReplayableStatement statement;
        final Method method;
        final Object[] args;
        // The settings, parameters and batch the call ran with (StatementRecipe.snapshot).
        final Object execution;
        final ResultSetTrack produced;

        StatementEntry(ReplayableStatement statement, Method method, Object[] args, Object execution,
                       ResultSetTrack produced, long observed) {
            super(observed);
            this.statement = statement;
            this.method = method;
            this.args = args == null ? null : args.clone();
            this.execution = execution;
            this.produced = produced;
        }

        @Override
        long replay(Replay r) throws Throwable {
            Statement s = r.statementFor(statement);
            statement.applySnapshot(s, execution);
            Object result = Reflective.invoke(s, method, args);
            if (produced != null) {
                if (!(result instanceof ResultSet)) {
                    return 1; // the application got a result set, the replay did not: diverged
                }
                r.results.put(produced, (ResultSet) result);
                return 0;
            }
            return Observation.of(result);
        }

        @Override
        public String toString() {
            return "Statement." + method.getName();
        }
    }

    static final class FailedStatementEntry extends Entry {
        final ReplayableStatement statement;
        final Method method;
        final Object[] args;
        final Object execution;

        FailedStatementEntry(ReplayableStatement statement, Method method, Object[] args, Object execution, String sqlState) {
            super(Observation.of(sqlState));
            this.statement = statement;
            this.method = method;
            this.args = args == null ? null : args.clone();
            this.execution = execution;
        }

        @Override
        long replay(Replay r) throws Throwable {
            Statement s = r.statementFor(statement);
            statement.applySnapshot(s, execution);
            return failsAgain(r, s, method, args, observed);
        }

        @Override
        public String toString() {
            return "Statement." + method.getName() + " (failed)";
        }
    }

    static final class ReadEntry extends Entry {
        final ResultSetTrack track;
        final Method method;
        final Object[] args;

        ReadEntry(ResultSetTrack track, Method method, Object[] args, long observed) {
            super(observed);
            this.track = track;
            this.method = method;
            this.args = args == null ? null : args.clone();
        }

        @Override
        long replay(Replay r) throws Throwable {
            ResultSet rs = r.results.get(track);
            if (rs == null) {
                return ~observed; // its statement was not replayed: cannot be the same
            }
            return Observation.of(Reflective.invoke(rs, method, args));
        }

        @Override
        public String toString() {
            return "ResultSet." + method.getName();
        }
    }

    static final class FailedReadEntry extends Entry {
        final ResultSetTrack track;
        final Method method;
        final Object[] args;

        FailedReadEntry(ResultSetTrack track, Method method, Object[] args, String sqlState) {
            super(Observation.of(sqlState));
            this.track = track;
            this.method = method;
            this.args = args == null ? null : args.clone();
        }

        @Override
        long replay(Replay r) throws Throwable {
            ResultSet rs = r.results.get(track);
            return rs == null ? ~observed : failsAgain(r, rs, method, args, observed);
        }

        @Override
        public String toString() {
            return "ResultSet." + method.getName() + " (failed)";
        }
    }

    static final class SavepointEntry extends Entry {
        final Method method;
        final Object[] args;
        final Savepoint appSavepoint;

        SavepointEntry(Method method, Object[] args, Savepoint appSavepoint) {
            super(0);
            this.method = method;
            this.args = args == null ? null : args.clone();
            this.appSavepoint = appSavepoint;
        }

        @Override
        long replay(Replay r) throws Throwable {
            r.savepoints.put(appSavepoint, (Savepoint) Reflective.invoke(r.physical, method, args));
            return 0;
        }

        @Override
        public String toString() {
            return "Connection." + method.getName();
        }
    }

    static final class SavepointUseEntry extends Entry {
        final Method method;
        final Savepoint appSavepoint;

        SavepointUseEntry(Method method, Savepoint appSavepoint) {
            super(0);
            this.method = method;
            this.appSavepoint = appSavepoint;
        }

        @Override
        long replay(Replay r) throws Throwable {
            Savepoint real = r.savepoints.getOrDefault(appSavepoint, appSavepoint);
            Reflective.invoke(r.physical, method, new Object[]{real});
            return 0;
        }

        @Override
        public String toString() {
            return "Connection." + method.getName() + "(Savepoint)";
        }
    }
}
