package dev.resilientjdbc.connection;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.Reflective;
import dev.resilientjdbc.replay.ReplayableStatement;
import dev.resilientjdbc.replay.ResultSetTrack;
import dev.resilientjdbc.replay.TransactionLog;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.util.SqlText;
import dev.resilientjdbc.transaction.TransactionGate;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A statement the application holds, which outlives physical connections: after a reconnect it is
 * made again from its {@link StatementRecipe} the first time it is used. One generation check per
 * call on the healthy path. Result sets read inside a recorded transaction come as {@link ResultSetTrack}s,
 * so that a transaction replay can move them to the replayed result sets; others come as they are.
 */
public final class LogicalStatement implements ReplayableStatement {
    private final LogicalConnection connection;
    private final StatementRecipe recipe;
    private volatile Statement physical;
    private volatile int generation;
    private volatile boolean closed;

    public LogicalStatement(LogicalConnection connection, StatementRecipe recipe, Statement first) {
        this.connection = connection;
        this.recipe = recipe;
        this.physical = first;
        this.generation = connection.generation();
    }

    public StatementRecipe recipe() {
        return recipe;
    }

    /** The physical statement on the current physical connection, re-created after a reconnect. */
    public Statement current() throws SQLException {
        Statement s = physical;
        if (generation == connection.generation() || closed || connection.isClosed() || recipe.isForeign()) {
            return s;
        }
        return recreate();
    }

    @Override
    public boolean repeatable() {
        return recipe.repeatable();
    }

    @Override
    public long snapshotSize() {
        return recipe.snapshotSize();
    }

    @Override
    public void applySnapshot(Statement s, Object snapshot) throws SQLException {
        recipe.applySnapshot(s, snapshot);
    }

    /** The physical statement without re-creating it (for toString, and calls on a closed statement). */
    @Override
    public Statement lastPhysical() {
        return physical;
    }

    private Statement recreate() throws SQLException {
        Connection p = connection.physical();
        int g = connection.generation();
        Statement fresh = recipe.recreate(p);
        physical = fresh;
        generation = g;
        return fresh;
    }

    /**
     * The statement a replay on {@code p} runs this one's calls on: always a new one, bare, so that each
     * replayed call gets exactly the settings and parameters it first ran with. A statement the real
     * driver made itself cannot be made again; it is used where it lives.
     */
    @Override
    public Statement statementForReplay(Connection p) throws SQLException {
        Statement s = physical;
        if (recipe.isForeign() && !closed && s != null && !s.isClosed() && s.getConnection() == p) {
            return s;
        }
        return recipe.createBare(p);
    }

    /**
     * After a replay the statement goes on with the physical statement the replay used, bound again
     * with what the application bound last (the replay left an older call's values on it). The one it
     * replaces is closed: on a connection that was only rolled back it is still open.
     */
    @Override
    public void adoptAfterReplay(Statement s) throws SQLException {
        Statement old = physical;
        if (closed) {
            if (s != old) {
                closeQuietly(s); // made only for the replay
            }
            return;
        }
        recipe.restoreCurrent(s);
        physical = s;
        generation = connection.generation();
        if (old != null && old != s) {
            closeQuietly(old);
        }
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException | RuntimeException ignored) {
            // a statement of a dead connection, or one replaced: nothing the application holds
        }
    }

    /**
     * Runs an execute call under the safety rules: retried, or its transaction replayed, where that cannot change
     * what the application sees. {@code query}: the method is executeQuery (decided once per method by the proxies), for the
     * call's timing.
     */
    public Object execute(Method method, Object[] args, String sqlArgument, boolean query) throws Throwable {
        String sql = sqlArgument != null ? sqlArgument : recipe.sql();
        CallObserver observer = connection.retrier().guard().observer();
        if (observer == CallObserver.NONE) {
            return executeUntimed(method, args, sql);
        }
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Object r = executeUntimed(method, args, sql);
            ok = true;
            return r;
        } finally {
            long t1 = System.nanoTime();
            observer.took(query ? CallObserver.Kind.QUERY : CallObserver.Kind.UPDATE, t1 - t0, !ok, t1);
        }
    }

    private Object executeUntimed(Method method, Object[] args, String sql) throws Throwable {
        if (inlineCount != NO_INLINE) { // a volatile write is a fence on every execute; a read is not
            inlineCount = NO_INLINE;
        }
        boolean autoCommit = connection.session().autoCommit();
        Object result = autoCommit ? executeInAutocommit(method, args, sql) : inTransaction(method, args, !SqlText.isReadOnly(sql), false);
        connection.ran(sql);
        SqlText.SessionChange change = sql != null && sql == recipe.sql() ? recipeChange() : SqlText.sessionChange(sql);
        if (change.kind != SqlText.SessionChange.Kind.NONE) {
            // SET search_path and the like: a new connection after a reconnect must be put in the same state.
            connection.session().recordSql(change, sql, !autoCommit);
        }
        return result;
    }

    // What the prepared text says about the session, asked once rather than on every execute (a lookup in SqlText's
    // cache each time). Immutable, and the same answer whichever thread works it out: no need to publish it safely.
    private SqlText.SessionChange recipeChange;

    private SqlText.SessionChange recipeChange() {
        SqlText.SessionChange c = recipeChange;
        if (c == null) {
            c = SqlText.sessionChange(recipe.sql());
            recipeChange = c;
        }
        return c;
    }

    private Object executeInAutocommit(Method method, Object[] args, String sql) throws Throwable {
        boolean hadWork = connection.beforeExecute(connection.fallbackOn() && SqlText.isReadOnly(sql));
        TransactionGate fileGate = connection.enterForWrite(sql);
        try {
            return executeAutocommit(method, args, sql, hadWork);
        } finally {
            if (fileGate != null) {
                fileGate.leave();
            }
        }
    }

    private Object executeAutocommit(Method method, Object[] args, String sql, boolean hadWork) throws Throwable {
        boolean autoCommit = connection.session().autoCommit();
        Connection p = connection.physical();
        if (connection.exactlyOnceWrites()) {
            CallGate gate = new CallGate(connection, this, sql, p, !hadWork, autoCommit);
            // executeQuery of a write (INSERT ... RETURNING, SELECT nextval(...)) too: its rows are read whole before
            // the commit (withoutCursor; in autocommit the real driver reads them whole anyway).
            boolean ownTransaction = !gate.harmlessToRepeat();
            return executeGated(method, args, gate, ownTransaction ? () -> withoutCursor(method, args) : null,
                    ownTransaction ? inline(method, sql) : null, null, "write");
        }
        // The first attempt runs here, as the retrier's first would: the healthy path makes no gate and no call
        // object (two allocations per execute); a failure makes them and goes on as if they had been there.
        Connection on = p;
        try {
            on = connection.physical();
            return track(Reflective.invoke(current(), method, args), null);
        } catch (SQLException first) {
            return executeGated(method, args, new CallGate(connection, this, sql, on, !hadWork, autoCommit), null, null, first, "write");
        }
    }

    /**
     * The retried execution: from its first attempt, or after {@code firstFailure} when that attempt was made already.
     * {@code ownTransaction}: an exactly-once write, run in a transaction of its own (or inline) by the commit protocol.
     */
    private Object executeGated(Method method, Object[] args, CallGate gate, Retrier.SqlCall<Object> ownTransaction,
                                CommitProtocol.Inline inline, SQLException firstFailure, String what) throws Throwable {
        Retrier retrier = connection.retrier();
        Retrier.SqlCall<Object> attempt = () -> {
            // The connection first (reconnecting if the last attempt lost it); then, as new work, it lets interrupted
            // transactions that reconnected alongside replay first; then the statement.
            gate.attemptOn(connection.physical());
            connection.awaitReplays();
            return ownTransaction != null ? connection.commits().inOwnTransaction(ownTransaction, gate, inline)
                    : Reflective.invoke(current(), method, args);
        };
        try {
            return track(firstFailure == null ? retrier.statement(attempt, gate) : retrier.afterFailure(firstFailure, attempt, gate), null);
        } catch (SQLException e) {
            if (e == gate.unknownOutcome) {
                throw unknownOutcome(what, e);
            }
            connection.closedByTheDriver(e); // over a setting the application made (client_encoding): closed as raw
            if (connection.ranOutOfOwnTime(e)) { // the connection the real driver gave up on is dropped
                if (!gate.harmlessToRepeat() && !gate.uncommitted) {
                    throw unknownOutcome(what, e); // sent, and the application's own limit ran out before the answer
                }
            }
            throw e;
        }
    }

    // ---- exactly-once writes in one exchange (CommitProtocol.Inline) ----

    private static final long NO_INLINE = Long.MIN_VALUE;
    // The last execute ran inline: the application's physical statement never ran, so its result calls are answered
    // here as the real driver answers them after a write (-1 once getMoreResults moved past it).
    private volatile long inlineCount = NO_INLINE;
    // Ours: the inline text's statement on the physical connection of inlineGeneration, for the application's text inlineFor.
    private java.sql.PreparedStatement inlineStatement;
    private String inlineFor;
    private int inlineGeneration;
    private Object inlineSettings;
    // The inline text of this statement failed once as the application's own might not: it runs as before.
    private boolean inlineOff;

    /** An inline write for {@code method} on {@code sql}, or null where it cannot be one. */
    private CommitProtocol.Inline inline(Method method, String sql) {
        String name = method.getName();
        int params = method.getParameterCount();
        if (inlineOff || !recipe.plainlyMade() || params != (recipe.sql() != null ? 0 : 1)
                || !("executeUpdate".equals(name) || "executeLargeUpdate".equals(name) || "execute".equals(name))
                || recipe.sql() == null && sql.indexOf('?') >= 0) { // a plain statement's ? is no parameter
            return null;
        }
        return new CommitProtocol.Inline() {
            @Override
            public java.sql.PreparedStatement inlineOn(Connection p) throws SQLException {
                return inlineStatement(p, sql);
            }

            @Override
            public Object answered(long count) {
                inlineCount = count;
                if ("execute".equals(name)) {
                    return Boolean.FALSE;
                }
                return "executeLargeUpdate".equals(name) ? (Object) count : (Object) (count > Integer.MAX_VALUE ? Statement.SUCCESS_NO_INFO : (int) count);
            }

            @Override
            public void refused() {
                if (recipe.sql() != null) {
                    inlineOff = true;
                }
            }
        };
    }

    private java.sql.PreparedStatement inlineStatement(Connection p, String sql) throws SQLException {
        java.sql.PreparedStatement s = inlineStatement;
        int g = connection.generation();
        if (s == null || inlineGeneration != g || !sql.equals(inlineFor) || s.isClosed()) {
            String text = connection.commits().inlineText(sql);
            if (text == null) {
                if (recipe.sql() != null) {
                    inlineOff = true;
                }
                return null;
            }
            if (s != null) {
                closeQuietly(s);
            }
            s = p.prepareStatement(text);
            inlineStatement = s;
            inlineFor = sql;
            inlineGeneration = g;
            inlineSettings = null;
        }
        Object stamp = recipe.settingsStamp();
        if (stamp != inlineSettings) {
            recipe.applySettings(s);
            inlineSettings = stamp;
        }
        recipe.bindAfter(s, dev.resilientjdbc.dialect.InDoubt.INLINE_PARAMETERS);
        return s;
    }

    /** getUpdateCount and the like after an inline write: what the raw driver answers after executeUpdate. */
    private Object inlineResult(Method method) {
        long count = inlineCount;
        switch (method.getName()) {
            case "getUpdateCount":
                return count > Integer.MAX_VALUE ? Statement.SUCCESS_NO_INFO : (int) count;
            case "getLargeUpdateCount":
                return count;
            case "getMoreResults":
                inlineCount = -1;
                return false;
            default: // getResultSet
                return null;
        }
    }

    /**
     * Runs the call in our own transaction as the real driver runs it in autocommit: without a cursor. With a
     * fetch size the real driver would read rows through a portal, which our COMMIT closes before the application
     * reads on (34000 portal does not exist); in autocommit it fetches every row at once, and so do we.
     */
    private Object withoutCursor(Method method, Object[] args) throws Throwable {
        Statement st = current();
        int fetchSize = st.getFetchSize();
        if (fetchSize == 0) {
            return Reflective.invoke(st, method, args);
        }
        st.setFetchSize(0);
        Object result;
        try {
            result = Reflective.invoke(st, method, args);
        } catch (Throwable t) {
            try {
                st.setFetchSize(fetchSize);
            } catch (SQLException ignored) {
                // the call's own failure is what counts (a statement on a lost connection may refuse this too)
            }
            throw t;
        }
        st.setFetchSize(fetchSize);
        return result;
    }

    /** SQLState 08007 for an autocommit write whose connection was lost after it was sent; counted. */
    private SQLException unknownOutcome(String what, SQLException cause) {
        Retrier retrier = connection.retrier();
        retrier.guard().stats().onInDoubt();
        String message = "resilient-jdbc: the connection to " + retrier.guard().name() + " was lost after this " + what
                + " was sent; whether it was applied is unknown (transaction resolution unknown)";
        return cause instanceof java.sql.BatchUpdateException
                ? new java.sql.BatchUpdateException(message, "08007", 0, new int[0], cause)
                : new SQLException(message, "08007", cause);
    }

    /** A call inside an explicit transaction: recorded, and on failure recovered by replaying the transaction. */
    private Object inTransaction(Method method, Object[] args, boolean write, boolean runsBatch) throws Throwable {
        boolean hadWork = connection.beforeExecute();
        TransactionLog log = connection.log();
        // Kept only while the transaction can still be replayed (recording on, within its bound). Taken before the
        // call: a replay inside it puts the same settings, parameters and batch back before the call runs.
        Object execution = log.replayable() ? recipe.snapshot(runsBatch) : null;
        Object result;
        try {
            result = connection.inTransaction(() -> Reflective.invoke(current(), method, args), this, hadWork);
        } catch (SQLException e) {
            if (log.replayable() && !connection.breaksAttempt(e)) {
                log.recordFailedStatementCall(this, method, args, e, execution);
            }
            throw e;
        }
        return track(result, log.recordStatementCall(this, method, args, result, write, execution));
    }

    /** Any other call: a connection failure marks the connection lost so the next call reconnects. */
    public Object call(StatementCall kind, Method method, Object[] args) throws Throwable {
        if (kind == StatementCall.RESULTS && inlineCount != NO_INLINE && !closed) {
            return inlineResult(method);
        }
        if (kind.keptSetter) {
            // A setter is part of the recipe: if the connection is gone, the new statement gets it anyway
            // (a re-creation applies it, and applying it once more changes nothing).
            recipe.observe(kind, method, args);
            Connection p = connection.lastPhysical();
            try {
                return Reflective.invoke(current(), method, args);
            } catch (SQLException e) {
                if (connection.failed(e) == FailureClass.CONNECTION && !connection.isClosed() && !closed) {
                    connection.lost(p);
                    return null;
                }
                throw e;
            }
        }
        if (kind == StatementCall.RUN_BATCH) {
            inlineCount = NO_INLINE;
            long t0 = System.nanoTime();
            boolean ok = false;
            try {
                Object r = callUntimed(kind, method, args, true);
                ok = true;
                return r;
            } finally {
                // The real driver empties the batch whatever the outcome; the recipe follows once it has run.
                recipe.observe(kind, method, args);
                long t1 = System.nanoTime();
                connection.retrier().guard().observer().took(CallObserver.Kind.BATCH, t1 - t0, !ok, t1);
            }
        }
        if (kind.changesRecipe && !closed) {
            // addBatch, clearParameters, ...: the physical statement is re-created first, from the recipe as
            // it was, so that the call is not applied twice (once by the re-creation, once by the call).
            current();
            recipe.observe(kind, method, args);
        }
        return callUntimed(kind, method, args, false);
    }

    private Object callUntimed(StatementCall kind, Method method, Object[] args, boolean runsBatch) throws Throwable {
        if (!closed && !connection.session().autoCommit() && kind.observesResults) {
            return inTransaction(method, args, runsBatch, runsBatch);
        }
        // An autocommit batch writes too: it waits its turn at an SQLite file's gate like any other write.
        if (runsBatch && !closed && connection.fallbackOn() && connection.session().autoCommit()) {
            connection.beforeAutocommitBatch(); // a batch writes: it leaves a standby serving reads (resilient.readOnlyFallback)
        }
        if (runsBatch && !closed && connection.session().autoCommit() && connection.exactlyOnceWrites()) {
            return exactlyOnceBatch(method, args);
        }
        TransactionGate fileGate = runsBatch && !closed && connection.session().autoCommit() ? connection.enterForWrite(null) : null;
        Connection p = connection.lastPhysical();
        try {
            return track(Reflective.invoke(current(), method, args), null);
        } catch (SQLException e) {
            if (connection.failed(e) != FailureClass.CONNECTION || connection.isClosed() || closed) {
                throw e;
            }
            connection.lost(p);
            if (!runsBatch || !connection.session().autoCommit()) {
                throw e;
            }
            if (RerunRules.autocommitBatch(RerunRules.refusedBeforeSending(e), recipe.repeatable()) == RerunRules.StatementVerdict.RUN_AGAIN) {
                return track(Reflective.invoke(current(), method, args), null); // on a new connection
            }
            throw unknownOutcome("batch", e);
        } finally {
            if (fileGate != null) {
                fileGate.leave();
            }
        }
    }

    /**
     * An autocommit batch with resilient.autocommit.exactlyOnce: in a transaction of its own with its evidence, like
     * any exactly-once write (on PostgreSQL an autocommit batch is one implicit transaction: all of it or none, so
     * the own transaction changes nothing the application can see). A lost COMMIT reply is settled, not 08007.
     */
    private Object exactlyOnceBatch(Method method, Object[] args) throws Throwable {
        CallGate gate = new CallGate(connection, this, null, connection.lastPhysical(), true, true);
        Statement[] ranOn = new Statement[1];
        Retrier.SqlCall<Object> body = () -> {
            Statement st = current();
            if (st == ranOn[0]) {
                recipe.restoreCurrent(st); // the real driver emptied its batch when it ran: put it back to run it again
            }
            ranOn[0] = st;
            return Reflective.invoke(st, method, args);
        };
        return executeGated(method, args, gate, body, null, null, "batch");
    }

    // A result set a transaction records comes as its track; any other as it is (a track that records nothing would
    // never be rebound nor marked closed: an object per query for nothing).
    private static Object track(Object result, ResultSetTrack recorded) {
        return recorded != null ? recorded : result;
    }

    public void close() throws SQLException {
        closed = true;
        inlineCount = NO_INLINE;
        java.sql.PreparedStatement own = inlineStatement;
        if (own != null) {
            inlineStatement = null;
            closeQuietly(own);
        }
        Statement s = physical;
        if (s != null && generation == connection.generation()) {
            s.close();
        }
    }

    public boolean isClosed() throws SQLException {
        if (closed) {
            return true;
        }
        Statement s = physical;
        if (connection.isClosed()) {
            return s.isClosed(); // the real driver decides what closing its connection did to it
        }
        // A statement whose connection was replaced is still open for the application.
        return generation == connection.generation() && s.isClosed();
    }

}
