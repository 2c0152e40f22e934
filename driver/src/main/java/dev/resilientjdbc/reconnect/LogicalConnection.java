package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.Reflective;
import dev.resilientjdbc.replay.ReplayDivergedException;
import dev.resilientjdbc.replay.TransactionLog;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.transaction.TransactionState;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection the application holds for its whole life. Underneath, the physical connection is
 * replaced whenever it is lost: the dead one is closed and forgotten, a new one is opened (connect
 * retries and breaker apply) on the next call and put in the recorded session state; statements
 * follow lazily. Whether the failed call itself may be made again is decided by {@link CallGate}.
 */
public final class LogicalConnection {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.reconnect");

    /** Where physical connections come from (the real driver, or a pool) and where dead ones go. */
    @FunctionalInterface
    public interface Opener {
        /** A new physical connection (through the retrier's connect policy). */
        Connection open() throws SQLException;

        /** A physical connection found dead: never to be used again. By default it is closed. */
        default void discard(Connection dead) {
            closeQuietly(dead);
        }
    }

    private final Retrier retrier;
    private final Opener opener;
    private final long replayMaxBytes;
    // Made by the first explicit transaction (see log()); until then it would be an empty, freshly reset one.
    private volatile TransactionLog log;
    private final InDoubt inDoubt;
    private volatile TransactionGate gate;
    private final SessionState session = new SessionState();
    // Taken only when the physical connection is lost or replaced: made on first use (see swap()).
    private volatile ReentrantLock swap;
    private volatile Connection physical;
    private volatile Connection last;
    private volatile Connection openedOnStandby;
    private volatile int generation;
    private volatile boolean closed;
    // The explicit transaction: did it run anything, was it lost, must it be replayed first? Made when the first
    // statement outside autocommit runs (see tx()); null reads as a transaction in phase NONE.
    private volatile TransactionState tx;
    private volatile SQLException reconnectFailure;
    // The server sessions of the current physical connection and of the one before it, so that the session of a
    // connection lost a moment ago can still be ended once a new one is open.
    private volatile Backend backend;
    private volatile Backend previousBackend;

    public LogicalConnection(Connection first, Retrier retrier, Opener opener, long replayMaxBytes, InDoubt inDoubt) {
        this.physical = first;
        this.last = first;
        this.retrier = retrier;
        this.opener = opener;
        this.replayMaxBytes = replayMaxBytes;
        this.inDoubt = inDoubt;
        this.backend = new Backend(first);
    }

    private volatile boolean exactlyOnceWrites;
    // COMMIT, exactly-once autocommit writes and the resolution of a lost COMMIT reply; made at the first of them
    // (a pool borrow that only reads in autocommit never needs it).
    private volatile CommitProtocol commits;

    /** resilient.autocommit.exactlyOnce, where the dialect can resolve a lost COMMIT. */
    public void exactlyOnceWrites(boolean on) {
        this.exactlyOnceWrites = on;
    }

    boolean exactlyOnceWrites() {
        return exactlyOnceWrites;
    }

    /** COMMIT and its recovery; autocommit writes made exactly-once. */
    public CommitProtocol commits() {
        CommitProtocol c = commits;
        if (c == null) {
            c = new CommitProtocol(this, inDoubt);
            CommitProtocol raced = (CommitProtocol) COMMITS.compareAndExchange(this, null, c);
            if (raced != null) {
                c = raced;
            }
        }
        return c;
    }

    /** The transaction's state, made on first need (readers that need no object read the field). */
    private TransactionState tx() {
        TransactionState t = tx;
        if (t == null) {
            t = new TransactionState();
            TransactionState raced = (TransactionState) TX.compareAndExchange(this, null, t);
            if (raced != null) {
                t = raced;
            }
        }
        return t;
    }

    private ReentrantLock swap() {
        ReentrantLock l = swap;
        if (l == null) {
            l = new ReentrantLock();
            ReentrantLock raced = (ReentrantLock) SWAP.compareAndExchange(this, null, l);
            if (raced != null) {
                l = raced;
            }
        }
        return l;
    }

    private static final java.lang.invoke.VarHandle COMMITS;
    private static final java.lang.invoke.VarHandle TX;
    private static final java.lang.invoke.VarHandle SWAP;
    private static final java.lang.invoke.VarHandle ON_RELEASE;
    private static final java.lang.invoke.VarHandle LOG_FIELD;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            COMMITS = l.findVarHandle(LogicalConnection.class, "commits", CommitProtocol.class);
            TX = l.findVarHandle(LogicalConnection.class, "tx", TransactionState.class);
            SWAP = l.findVarHandle(LogicalConnection.class, "swap", ReentrantLock.class);
            ON_RELEASE = l.findVarHandle(LogicalConnection.class, "onRelease", Runnable.class);
            LOG_FIELD = l.findVarHandle(LogicalConnection.class, "log", TransactionLog.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Explicit transactions pass this gate before their first statement (SQLite files); null for none. */
    public void gate(TransactionGate gate) {
        this.gate = gate;
    }

    /** The explicit transaction's log. */
    public TransactionLog log() {
        TransactionLog l = log;
        if (l == null) {
            l = new TransactionLog(replayMaxBytes);
            TransactionLog raced = (TransactionLog) LOG_FIELD.compareAndExchange(this, null, l);
            if (raced != null) {
                l = raced;
            }
        }
        return l;
    }

    /**
     * Learns which server session the current physical connection has, if not known yet. Called while
     * it is alive and a transaction is about to depend on it (its first statement, after a replay, before
     * COMMIT): a connect or pool borrow never pays for it.
     */
    void noteSession() {
        Backend b = backend;
        if (b != null && !b.known) {
            b.session = inDoubt.session(b.physical, b.openedAt);
            b.known = true;
        }
    }

    /** Ends the server session of {@code old}, a physical connection this logical one has just lost, using {@code fresh}. */
    void endOldBackend(Connection old, Connection fresh) {
        Backend b = backend;
        Backend p = previousBackend;
        Backend which = old == null ? null : b != null && b.physical == old ? b : p != null && p.physical == old ? p : null;
        inDoubt.endOldBackend(which != null ? which.session : null, fresh);
    }

    /** A physical connection, when this logical one got it, and its server session once learnt. */
    private static final class Backend {
        final Connection physical;
        final long openedAt = System.currentTimeMillis();
        volatile Object session;
        volatile boolean known;

        Backend(Connection physical) {
            this.physical = physical;
        }
    }

    InDoubt inDoubt() {
        return inDoubt;
    }

    public Retrier retrier() {
        return retrier;
    }

    public SessionState session() {
        return session;
    }

    /** Increments each time the physical connection is replaced; statements compare it to know when to re-create. */
    public int generation() {
        return generation;
    }

    /** The live physical connection, opening a new one when the last was lost. */
    public Connection physical() throws SQLException {
        Connection p = physical;
        return p != null ? p : reconnect();
    }

    /** The current physical connection, or null when it was lost and not yet replaced. */
    public Connection physicalIfAlive() {
        return physical;
    }

    /** The physical connection without reconnecting: the current one or, once lost or closed, the last one. */
    public Connection lastPhysical() {
        return last;
    }

    public boolean isClosed() {
        return closed;
    }

    private Connection reconnect() throws SQLException {
        ReentrantLock lock = swap();
        lock.lock();
        try {
            Connection p = physical;
            if (p != null) {
                return p;
            }
            if (closed) {
                return last; // closed by the application: the real connection answers as it would
            }
            Connection fresh;
            try {
                fresh = opener.open();
            } catch (SQLException e) {
                reconnectFailure = e;
                throw e;
            }
            try {
                session.restoreOn(fresh);
            } catch (SQLException e) {
                opener.discard(fresh);
                reconnectFailure = e;
                throw e;
            }
            generation++;
            // A session opened on a standby keeps its read-only transactions after a promotion reports
            // in_hot_standby=off: remembered here (a reconnect, off the hot path) so its 25006 still reconnects.
            openedOnStandby = Boolean.TRUE.equals(inDoubt.standby(fresh)) ? fresh : null;
            last = fresh;
            physical = fresh;
            previousBackend = backend;
            backend = new Backend(fresh);
            retrier.guard().stats().onReconnected();
            retrier.guard().reconnected();
            return fresh;
        } finally {
            lock.unlock();
        }
    }

    /** True when {@code e} is the failure of our own reconnect: its budget is spent, no more retries. */
    public boolean isReconnectFailure(SQLException e) {
        return e == reconnectFailure;
    }

    /** The physical connection {@code which} is gone: close it, forget it, and lose an explicit transaction that had work. */
    public void lost(Connection which) {
        ReentrantLock lock = swap();
        lock.lock();
        try {
            if (which == null || physical != which) {
                return;
            }
            physical = null;
            TransactionState t = tx;
            if (t != null) { // without one nothing ran outside autocommit: nothing to lose
                t.connectionLost(which, log().replayable());
            }
        } finally {
            lock.unlock();
        }
        opener.discard(which);
        LOG.log(Level.FINE, "resilient-jdbc: lost the physical connection to {0}", retrier.guard().name());
    }

    /** Called before a statement runs; returns whether the transaction had already done something. */
    public boolean beforeExecute() throws SQLException {
        boolean autoCommit = session.autoCommit();
        TransactionState t = autoCommit ? tx : tx();
        boolean had = t != null && t.beforeStatement(autoCommit);
        if (!autoCommit && !had) {
            TransactionGate g = gate;
            if (g != null) {
                try {
                    g.enter(last);
                } catch (SQLException e) {
                    t.ended(); // it never began: the gate refused it
                    throw e;
                }
            }
            noteSession();
        }
        return had;
    }

    /**
     * In autocommit, a write to an SQLite file passes the same per-file gate as transactions, in arrival
     * order: left to SQLITE_BUSY and backoff, a writer that keeps losing the race can wait for seconds
     * while another writes thousands of rows. Returns the gate entered (leave it after the write), or null.
     */
    TransactionGate enterForWrite(String sql) throws SQLException {
        TransactionGate g = gate;
        if (g == null || SqlText.isReadOnly(sql)) {
            return null;
        }
        g.enter(last);
        return g;
    }

    /** The statement that opened the transaction runs again on a new connection: the transaction starts afresh. */
    void restartTransaction() {
        tx().restarted();
    }

    /** commit, rollback or a switch to autocommit ended the transaction. */
    public void transactionEnded() {
        session.dropPending(); // committed SETs were taken over before this; the rest the server undid
        TransactionGate g = gate;
        if (g != null) {
            g.leave();
        }
        TransactionState t = tx;
        if (t != null) {
            t.ended();
        }
        TransactionLog l = log;
        if (l != null) { // none made: nothing to forget
            l.reset();
        }
    }

    /** Whether the transaction must be replayed before anything else runs in it. */
    boolean replayPending() {
        TransactionState t = tx;
        return t != null && t.replayPending();
    }

    Connection lostPhysical() {
        TransactionState t = tx;
        return t == null ? null : t.lostOn();
    }

    /** Where the explicit transaction stands (for tests and diagnostics). */
    public TransactionState.Phase transactionPhase() {
        TransactionState t = tx;
        return t == null ? TransactionState.Phase.NONE : t.phase();
    }

    /**
     * Runs a call of an explicit transaction. When it fails with a lost connection, a deadlock, a
     * serialization failure or a read-only server, and the transaction is replayable, the
     * transaction is rolled back (or its connection replaced), replayed and verified, and the call
     * made again: the application never knows. A replay that diverges throws SQLState 40001.
     */
    public Object inTransaction(Retrier.SqlCall<?> call, LogicalStatement statement, boolean hadWork) throws Throwable {
        TransactionState t = tx;
        if (t != null && t.replayPending()) {
            Connection lostOne = t.lostOn();
            return recoverByReplay(new SQLException("connection lost between calls", "08006"), FailureClass.CONNECTION,
                    lostOne, call);
        }
        Connection on = physical();
        try {
            return call.call();
        } catch (SQLException first) {
            FailureClass c = classify(first);
            // BUSY inside a transaction (SQLite's lock upgrade refused, PostgreSQL's lock_not_available) leaves a
            // transaction that must not simply wait: it is rolled back, releasing its locks, and replayed after a backoff.
            if (closed || !RerunRules.breaksAttempt(c) || first instanceof ReplayDivergedException) {
                throw first;
            }
            if (!log().replayable()) {
                if (c == FailureClass.CONNECTION) {
                    lost(on);
                    if (!hadWork && (statement == null || statement.recipe().repeatable())) {
                        // Nothing ran before in this transaction: start it afresh on a new connection — opened
                        // first, so that the statement is made again on it rather than run on the lost one.
                        restartTransaction();
                        return retrier.statement(() -> {
                            physical();
                            return call.call();
                        }, (e, cls) -> false);
                    }
                }
                throw first;
            }
            return recoverByReplay(first, c, on, call);
        }
    }

    private Object recoverByReplay(SQLException first, FailureClass firstClass, Connection failedOn, Retrier.SqlCall<?> call)
            throws Throwable {
        Connection[] on = {failedOn};
        boolean[] connectionLost = {firstClass == FailureClass.CONNECTION || firstClass == FailureClass.READ_ONLY};
        Retrier.RetryGate gate = (e, failureClass) -> {
            if (closed || isReconnectFailure(e) || e instanceof ReplayDivergedException) {
                return false;
            }
            RerunRules.Replay how = RerunRules.replay(classify(e), log().replayable(), false);
            if (how == RerunRules.Replay.AFTER_LOSS) {
                connectionLost[0] = true;
            }
            return how != RerunRules.Replay.NO;
        };
        // Set once the replay succeeded and the call itself failed: its own error, not one of the replay's.
        SQLException[] callsOwn = {null};
        Retrier.SqlCall<Object> replayThenCall = () -> {
            boolean lostIt = connectionLost[0];
            connectionLost[0] = false;
            callsOwn[0] = null;
            replayOnce(on, lostIt);
            try {
                return call.call();
            } catch (SQLException e) {
                callsOwn[0] = e;
                throw e;
            }
        };
        try {
            return retrier.statement(replayThenCall, gate);
        } catch (ReplayDivergedException diverged) {
            retrier.guard().stats().onDiverged();
            abandonTransaction();
            throw diverged;
        } catch (SQLException e) {
            if (e == callsOwn[0] && !breaksAttempt(e)) {
                // The transaction was replayed and then the call failed on its own (a duplicate key, ...): the
                // application gets that error with the transaction as it would be on a healthy run.
                throw e;
            }
            if (classify(e) == FailureClass.CONNECTION) {
                lost(on[0]);
            }
            abandonTransaction();
            throw e;
        }
    }

    /**
     * Replaces (connection lost) or rolls back (deadlock, serialization, busy) the physical connection,
     * then replays the log on it. {@code on[0]} is the connection the last attempt ran on, and becomes
     * the one this replay runs on, so that a failure during the replay is pinned on the right one.
     */
    private void replayOnce(Connection[] on, boolean connectionLost) throws SQLException {
        Connection failedOn = on[0];
        if (connectionLost) {
            lost(failedOn);
        }
        Connection p = physical();
        on[0] = p;
        if (connectionLost) {
            endOldBackend(failedOn, p);
        } else {
            p.rollback();
        }
        TransactionLog log = log();
        int calls = log.size();
        log.replay(p, this::breaksAttempt);
        noteSession();
        tx().replayed();
        if (calls > 0) {
            retrier.guard().stats().onReplayed(); // a transaction lost at its first call restarts: nothing was replayed
        }
        LOG.log(Level.FINE, "resilient-jdbc: replayed a transaction of {0} calls on {1}", new Object[]{calls, retrier.guard().name()});
    }

    /** The transaction cannot go on: it is rolled back, and further statements fail until the application rolls back. */
    private void abandonTransaction() {
        Connection p = physical;
        if (p != null) {
            try {
                p.rollback();
            } catch (SQLException ignored) {
                // the connection may be gone as well; the database rolls back then
            }
        }
        log().markNotReplayable("the transaction failed");
        tx().abandoned();
    }

    /** Replays the whole transaction on a fresh start of the current physical connection (used by commit). */
    void replayForCommit(Connection failedOn, boolean connectionLost) throws SQLException {
        replayOnce(new Connection[]{failedOn}, connectionLost);
    }

    /** Throws when the current transaction was lost with its connection; clears the mark (the transaction is over). */
    public void checkCommittable() throws SQLException {
        TransactionState t = tx;
        if (t != null) {
            t.checkCommittable();
        }
    }

    public boolean transactionHasWork() {
        TransactionState t = tx;
        return t != null && t.hasWork();
    }

    /**
     * Connection.abort(executor): the application ends this connection for good, from any thread. Marked
     * closed first, so that the call it interrupts fails as on the raw driver instead of being made again
     * on a new connection; then the real connection is aborted.
     */
    public void abort(java.lang.reflect.Method method, Object[] args) throws Throwable {
        if (args == null || args.length != 1 || args[0] == null) {
            Reflective.invoke(last, method, args); // the real driver's own answer to a bad argument
            return;
        }
        closed = true;
        released();
        TransactionGate g = gate;
        if (g != null) {
            g.leave();
        }
        Reflective.invoke(last, method, args);
    }

    // Told once when the application closes or aborts this connection (its owner counts open connections); taken
    // with getAndSet through ON_RELEASE, so close and abort racing run it once.
    private volatile Runnable onRelease;

    /** {@code hook} runs once, when the application closes or aborts this connection. */
    public void onRelease(Runnable hook) {
        onRelease = hook;
    }

    private void released() {
        Runnable hook = (Runnable) ON_RELEASE.getAndSet(this, (Runnable) null);
        if (hook != null) {
            hook.run();
        }
    }

    /** The application closed the connection. */
    public void close() throws SQLException {
        closed = true;
        released();
        CommitProtocol c = commits;
        if (c != null) { // none made: no marker row was ever taken
            c.release();
        }
        TransactionGate g = gate;
        if (g != null) {
            g.leave();
        }
        Connection p = physical;
        if (p != null) {
            p.close();
        }
    }

    /** A failure that recovery deals with (replay, reconnect, backoff), not an answer of the database to the call. */
    boolean breaksAttempt(SQLException e) {
        return RerunRules.breaksAttempt(classify(e));
    }

    /**
     * The failure's class for this connection. A read-only failure (25006) is a reason to reconnect only
     * when the server is read-only (a standby, or not known to be none); in a session the application made
     * read-only it is the application's own answer, never recovered.
     */
    public FailureClass classify(SQLException e) {
        FailureClass c = retrier.classifier().classify(e);
        if (c == FailureClass.CONNECTION && ranOutOfOwnTime(e)) {
            return FailureClass.FATAL;
        }
        TransactionGate g = gate;
        if (c == FailureClass.BUSY && g != null && g.heldByThisThreadElsewhere()) {
            return FailureClass.FATAL; // the file is busy with this thread's own other transaction: waiting cannot help
        }
        Connection on = last;
        if (c == FailureClass.READ_ONLY && (session.readOnly()
                || Boolean.FALSE.equals(inDoubt.standby(on)) && on != openedOnStandby)) {
            // Made read-only by the application (setReadOnly, SET default_transaction_read_only, BEGIN READ ONLY),
            // its role or database, on a server that is no standby: another connection would refuse it just the same.
            return FailureClass.FATAL;
        }
        return c;
    }

    // The last failure that was the application's own time limit; classify() may be asked about it more than once.
    private volatile SQLException ownTimeLimit;

    /**
     * The application's own limit ran out (socketTimeout, setNetworkTimeout) and the real driver closed
     * the connection. Nothing is made again and nothing is replayed — that would stretch the limit the
     * application chose: the current physical connection is dropped so the next call gets a new one, and
     * an open transaction that had work is lost (40000 until rollback), as the raw driver's closed
     * connection would have it.
     */
    boolean ranOutOfOwnTime(SQLException e) {
        if (e == ownTimeLimit) {
            return true;
        }
        if (!RerunRules.applicationTimeLimit(e)) {
            return false;
        }
        ownTimeLimit = e;
        Connection p;
        ReentrantLock lock = swap();
        lock.lock();
        try {
            p = physical;
            if (p == null) {
                return true;
            }
            physical = null;
            TransactionState t = tx;
            if (t != null) { // without one nothing ran outside autocommit: nothing to lose
                t.ranOutOfOwnTime();
            }
        } finally {
            lock.unlock();
        }
        opener.discard(p);
        return true;
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // it is already broken; closing only releases what the driver still holds
        }
    }
}
