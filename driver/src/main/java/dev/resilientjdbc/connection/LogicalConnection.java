package dev.resilientjdbc.connection;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.Reflective;
import dev.resilientjdbc.replay.ReplayDivergedException;
import dev.resilientjdbc.replay.TransactionLog;
import dev.resilientjdbc.retry.FallbackState;
import dev.resilientjdbc.retry.ReplayTurns;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.transaction.TransactionState;
import dev.resilientjdbc.dialect.InDoubt;
import dev.resilientjdbc.util.SqlText;
import dev.resilientjdbc.dialect.SqliteBusyWait;
import dev.resilientjdbc.transaction.TransactionGate;

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
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.connection");

    /** Where physical connections come from (the real driver, or a pool) and where dead ones go. */
    @FunctionalInterface
    public interface Opener extends PhysicalOpener {
        /** A new physical connection (through the retrier's connect policy). */
        @Override
        Connection open() throws SQLException;

        /**
         * A new physical connection for a write that a standby refused (25006): on a multi-host URL that names no
         * target server type, one to a primary when one is up. By default {@link #open()}.
         */
        default Connection openForWrite() throws SQLException {
            return open();
        }

        /**
         * resilient.readOnlyFallback: one attempt at a primary, no retries; null where this opener has none to make
         * (the target's breaker is open: the primary is known down).
         */
        default Connection openPrimaryOnce() throws SQLException {
            return null;
        }

        /** resilient.readOnlyFallback: a connection to a standby among the URL's hosts; null where there is none to ask. */
        default Connection openStandby() throws SQLException {
            return null;
        }

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
    private final TransactionGate gate;
    private final SessionState session = new SessionState();
    // Taken only when the physical connection is lost or replaced: made on first use (see swap()).
    private volatile ReentrantLock swap;
    private volatile Connection physical;
    private volatile Connection last;
    private volatile Connection openedOnStandby;
    // A standby refused a write on the connection just lost: the next one is asked of a primary (Opener.openForWrite).
    private volatile boolean seekPrimary;
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
    // resilient.readOnlyFallback of the target (null when off); whether the physical connection is a standby serving
    // reads because no primary answered; whether the work about to run needs a primary (a write, a transaction of a
    // connection that is not read-only).
    private final FallbackState fallback;
    private volatile boolean onStandby;
    private volatile boolean needsPrimary;
    private volatile long seenPrimaryEpoch;

    /**
     * What a logical connection is given at birth and keeps. Per target: the replay bound
     * (resilient.replay.maxBytes), exactly-once autocommit writes and how long new work waits for replays
     * (resilient.replay.firstWait). Per connection: the SQLite file's transaction gate and how the application
     * waits for a busy file (null for other databases), resilient.readOnlyFallback's state (null when off) and
     * whether the first physical connection is to a standby.
     */
    public record Setup(long replayMaxBytes, boolean exactlyOnceWrites, java.time.Duration replayFirstWait, TransactionGate gate,
                        SqliteBusyWait busyWait, FallbackState fallback, boolean firstOnStandby) {
    }

    public LogicalConnection(Connection first, Retrier retrier, Opener opener, InDoubt inDoubt, Setup setup) {
        this.physical = first;
        this.last = first;
        this.retrier = retrier;
        this.opener = opener;
        this.replayMaxBytes = setup.replayMaxBytes();
        this.exactlyOnceWrites = setup.exactlyOnceWrites();
        this.replayFirstWaitNanos = setup.replayFirstWait().toNanos();
        this.gate = setup.gate();
        this.busyWait = setup.busyWait();
        this.fallback = setup.fallback();
        this.onStandby = setup.firstOnStandby();
        this.seenPrimaryEpoch = fallback != null ? fallback.primaryEpoch() : 0;
        this.inDoubt = inDoubt;
        this.backend = new Backend(first);
        // As in reconnect(): a transaction the first connection begins on a standby stays read-only past a promotion.
        this.openedOnStandby = Boolean.TRUE.equals(inDoubt.standby(first)) ? first : null;
    }

    private final boolean exactlyOnceWrites;
    private final long replayFirstWaitNanos;
    // COMMIT, exactly-once autocommit writes and the resolution of a lost COMMIT reply; made at the first of them
    // (a pool borrow that only reads in autocommit never needs it).
    private volatile CommitProtocol commits;

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


    /** Whether resilient.readOnlyFallback is on for this connection. */
    public boolean fallbackOn() {
        return fallback != null;
    }

    /** resilient.readOnlyFallback: an autocommit batch is about to run; it writes, unless the connection is read-only. */
    public void beforeAutocommitBatch() throws SQLException {
        if (fallback != null) {
            route(session.readOnly());
        }
    }

    /** Whether the physical connection is a standby serving reads while no primary answers (resilient.readOnlyFallback). */
    public boolean onStandby() {
        return onStandby;
    }

    /** What {@link #openForRead} opened: a connection, and whether it is a standby serving reads in the fallback. */
    public record Opened(Connection connection, boolean standby) {
    }

    /**
     * A connection for reads under resilient.readOnlyFallback: a primary when one answers at once, else a standby
     * (counted and named in {@code state}); null when neither answers (the caller then waits for a primary as usual).
     * A failure that waiting cannot mend (authentication, a bad database) is thrown at once.
     */
    public static Opened openForRead(Opener opener, FallbackState state, InDoubt inDoubt, Retrier retrier) throws SQLException {
        if (state.degraded()) {
            state.lookForPrimary(opener::openPrimaryOnce);
        } else { // when already known to have none: straight to a standby, the look for a primary in the background
            try {
                Connection p = opener.openPrimaryOnce();
                if (p != null) {
                    state.primaryReached();
                    return new Opened(p, false);
                }
            } catch (SQLException e) {
                if (!RerunRules.connectMayRetry(retrier.classifier().classify(e))) {
                    throw e;
                }
            }
        }
        Connection s;
        try {
            s = opener.openStandby();
        } catch (SQLException e) {
            LOG.log(Level.FINE, "resilient-jdbc: no standby of {0} answers either: {1}", new Object[]{retrier.guard().name(), e.getSQLState()});
            return null;
        }
        if (s == null) {
            return null;
        }
        if (!inRecovery(s, inDoubt)) {
            state.primaryReached(); // no standby is up and a primary came back meanwhile: pgjdbc gave that
            return new Opened(s, false);
        }
        String member = inDoubt.serverAddress(s);
        state.servedBy(member);
        LOG.log(Level.FINE, "resilient-jdbc: no primary of {0} answers; reads served by standby {1} (resilient.readOnlyFallback)",
                new Object[]{retrier.guard().name(), member});
        return new Opened(s, true);
    }

    /**
     * Whether the server of {@code c} is a standby: as it reported on connect (in_hot_standby, PostgreSQL 14 and
     * later), else asked (one round trip, only where the fallback connects). Unknown counts as a standby: nothing is
     * written through a connection that is not known to be a primary's.
     */
    private static boolean inRecovery(Connection c, InDoubt inDoubt) {
        Boolean reported = inDoubt.standby(c);
        if (reported != null) {
            return reported;
        }
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            return !rs.next() || rs.getBoolean(1);
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * resilient.readOnlyFallback, at the start of an autocommit statement or a transaction: {@code reads} says the work
     * may be served by a standby (the connection is read-only, or an autocommit query). Work that needs a primary
     * leaves a standby (the next physical() waits for a primary); reads on a standby move to a primary once one is back.
     */
    private void route(boolean reads) throws SQLException {
        needsPrimary = !reads;
        Connection p = physical;
        if (!onStandby || p == null) {
            return;
        }
        if (!reads) {
            dropStandby(p);
            return;
        }
        FallbackState f = fallback;
        long epoch = f.primaryEpoch();
        if (epoch == seenPrimaryEpoch) {
            f.lookForPrimary(opener::openPrimaryOnce); // in the background: this read is not held up
            return;
        }
        seenPrimaryEpoch = epoch; // a primary answered another connection: tried once for this news
        Connection primary;
        try {
            primary = opener.openPrimaryOnce();
        } catch (SQLException e) {
            return; // still none: the standby serves on
        }
        if (primary == null) {
            return;
        }
        f.primaryReached();
        ReentrantLock lock = swap();
        lock.lock();
        try {
            if (physical != p || closed) {
                opener.discard(primary);
                return;
            }
            try {
                session.restoreOn(primary);
            } catch (SQLException e) {
                opener.discard(primary);
                return;
            }
            install(primary, false);
        } finally {
            lock.unlock();
        }
        opener.discard(p);
    }

    /** The standby is left between two units of work (nothing of a transaction is on it). */
    private void dropStandby(Connection p) {
        ReentrantLock lock = swap();
        lock.lock();
        try {
            if (physical != p) {
                return;
            }
            physical = null;
            onStandby = false;
        } finally {
            lock.unlock();
        }
        opener.discard(p);
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
        inDoubt.endOldBackend(sessionOf(old), fresh);
    }

    /** The server session of {@code old}, a physical connection this logical one had, when it was learnt; else null. */
    Object sessionOf(Connection old) {
        Backend b = backend;
        Backend p = previousBackend;
        Backend which = old == null ? null : b != null && b.physical == old ? b : p != null && p.physical == old ? p : null;
        return which != null ? which.session : null;
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
            Connection fresh = null;
            boolean standby = false;
            FallbackState f = fallback;
            boolean write = seekPrimary || needsPrimary;
            long t0 = System.nanoTime();
            try {
                if (f != null && !write) {
                    Opened o = openForRead(opener, f, inDoubt, retrier);
                    if (o != null) {
                        fresh = o.connection();
                        standby = o.standby();
                    }
                }
                if (fresh == null) {
                    fresh = seekPrimary ? opener.openForWrite() : opener.open();
                    if (f != null) {
                        f.primaryReached();
                    }
                }
                seekPrimary = false;
            } catch (SQLException e) {
                SQLException thrown = e;
                if (f != null && write && RerunRules.connectMayRetry(retrier.classifier().classify(e))) {
                    dev.failsafe.CircuitBreaker<Object> breaker = retrier.guard().breaker();
                    thrown = f.noPrimary(e, System.nanoTime() - t0, breaker != null && breaker.isOpen());
                    needsPrimary = false; // the work that needed it failed; what comes next says what it needs
                }
                reconnectFailure = thrown;
                throw thrown;
            }
            try {
                session.restoreOn(fresh);
            } catch (SQLException e) {
                opener.discard(fresh);
                reconnectFailure = e;
                throw e;
            }
            install(fresh, standby);
            return fresh;
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@code fresh} (its session restored) the physical connection. Under the swap lock. */
    private void install(Connection fresh, boolean standby) {
        generation++;
        // A session opened on a standby keeps its read-only transactions after a promotion reports
        // in_hot_standby=off: remembered here (a reconnect, off the hot path) so its 25006 still reconnects.
        openedOnStandby = Boolean.TRUE.equals(inDoubt.standby(fresh)) ? fresh : null;
        last = fresh;
        physical = fresh;
        previousBackend = backend;
        backend = new Backend(fresh);
        onStandby = standby;
        FallbackState f = fallback;
        if (f != null) {
            seenPrimaryEpoch = f.primaryEpoch();
        }
        retrier.guard().stats().onReconnected();
        retrier.guard().reconnected();
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
                t.connectionLost(which, log().replayable(), log().notReplayableBecause());
            }
        } finally {
            lock.unlock();
        }
        opener.discard(which);
        LOG.log(Level.FINE, "resilient-jdbc: lost the physical connection to {0}", retrier.guard().name());
    }

    /** New work (an autocommit statement, a transaction's first statement) lets interrupted transactions of the target replay first. */
    void awaitReplays() {
        retrier.guard().replayTurns().awaitTurn(replayFirstWaitNanos);
    }

    /** Called before a statement runs; returns whether the transaction had already done something. */
    public boolean beforeExecute() throws SQLException {
        return beforeExecute(false);
    }

    /**
     * Called before a statement runs; {@code query}: the statement only reads (an autocommit query may be served by
     * a standby under resilient.readOnlyFallback). Returns whether the transaction had already done something.
     */
    public boolean beforeExecute(boolean query) throws SQLException {
        boolean autoCommit = session.autoCommit();
        TransactionState t = autoCommit ? tx : tx();
        boolean had = t != null && t.beforeStatement(autoCommit);
        if (!had) {
            if (fallback != null) {
                route(session.readOnly() || autoCommit && query);
            }
            if (physical == null) {
                physical(); // the reconnect first: it may wait out an outage, after which replays are what come first
            }
            awaitReplays();
        }
        if (!autoCommit && !had) {
            TransactionGate g = gate;
            if (g != null) {
                try {
                    // A transaction waits its turn at the file whatever the application's busy_timeout: SQLite waits
                    // that only where a statement starts from no transaction, and one that read first and then wants
                    // to write behind another writer gets SQLITE_BUSY at once — what taking turns prevents.
                    g.enter(last, true);
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
        g.enter(last, !waitsItsOwnWay());
        return g;
    }

    /** The statement that opened the transaction runs again on a new connection: the transaction starts afresh. */
    void restartTransaction() {
        tx().restarted();
    }

    /**
     * The application takes the real connection's own API (pgjdbc's CopyManager): what it does there
     * (COPY) runs without us and cannot be recorded, so no transaction on that connection is replayed,
     * and the loss of that connection is reported to the application (see {@link #lostWorkOutOfSight}).
     */
    public void drivenDirectly() {
        directly = last;
        log().markNotReplayable(OUT_OF_SIGHT);
    }

    private static final String OUT_OF_SIGHT = "the application drives the real connection's own API (COPY), which cannot be recorded";
    // The physical connection whose own API the application holds (see drivenDirectly()), or null.
    private volatile Connection directly;

    /** Whether work of the application's on {@code lost} ran out of our sight (COPY): a loss only it can judge. */
    public boolean lostWorkOutOfSight(Connection lost) {
        return lost != null && lost == directly && !session.autoCommit();
    }

    // SQLite: whether the application said how to wait for a busy file (null for other databases).
    private final SqliteBusyWait busyWait;

    /** A statement ran: a PRAGMA busy_timeout may have changed how the application waits. */
    void ran(String sql) {
        SqliteBusyWait w = busyWait;
        if (w != null) {
            w.ran(sql);
        }
    }

    /** SQLite waits for a busy file as the application told it (busy_timeout, its own BusyHandler). */
    boolean waitsItsOwnWay() {
        SqliteBusyWait w = busyWait;
        return w != null && w.applies(last);
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
            Connection d = directly;
            if (d != null && d == physical) {
                l.markNotReplayable(OUT_OF_SIGHT); // the application may COPY in the next transaction too
            }
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
                    if (RerunRules.restartsTransaction(c, hadWork, statement == null || statement.recipe().repeatable())) {
                        // Started afresh on a new connection — opened first, so that the statement is made again
                        // on it rather than run on the lost one.
                        restartTransaction();
                        return retrier.statement(() -> {
                            physical();
                            awaitReplays(); // after the reconnect, which may have waited out the whole outage
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
        // Only a lost connection (an incident: others lost theirs too) holds new work back; a deadlock or
        // serialization victim replays among the other transactions, as it would have run.
        if (firstClass != FailureClass.CONNECTION && firstClass != FailureClass.READ_ONLY) {
            return replayThenCall(first, firstClass, failedOn, call, null);
        }
        try (ReplayTurns.Turn turn = retrier.guard().replayTurns().begin()) {
            return replayThenCall(first, firstClass, failedOn, call, turn);
        }
    }

    private Object replayThenCall(SQLException first, FailureClass firstClass, Connection failedOn, Retrier.SqlCall<?> call,
                                  ReplayTurns.Turn turn) throws Throwable {
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
            if (turn != null) {
                // Back where it was; the call goes on once the other interrupted transactions are back too.
                turn.replayed();
                awaitReplays();
            }
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
    void replayForCommit(Connection failedOn, boolean connectionLost, ReplayTurns.Turn held) throws SQLException {
        if (held != null) {
            replayOnce(new Connection[]{failedOn}, connectionLost);
            held.replayed();
            awaitReplays(); // COMMIT goes on once the other interrupted transactions are back too
            return;
        }
        if (!connectionLost) {
            replayOnce(new Connection[]{failedOn}, false);
            return;
        }
        try (ReplayTurns.Turn turn = retrier.guard().replayTurns().begin()) {
            replayOnce(new Connection[]{failedOn}, true);
            turn.replayed();
            awaitReplays(); // COMMIT goes on once the other interrupted transactions are back too
        }
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
        if (c == FailureClass.FATAL) {
            closedByTheDriver(e);
            return c;
        }
        TransactionGate g = gate;
        if (c == FailureClass.BUSY && g != null && g.heldByThisThreadElsewhere()) {
            return FailureClass.FATAL; // the file is busy with this thread's own other transaction: waiting cannot help
        }
        if (c == FailureClass.BUSY && waitsItsOwnWay() && !(tx != null && tx.hasWork())) {
            // Autocommit (no transaction under way): SQLite waited as the application told it to, and its answer
            // stands. In an explicit transaction SQLite may not have waited at all (it refuses a read lock's upgrade
            // behind another writer at once, busy_timeout or not): that one is retried and replayed as always.
            return FailureClass.FATAL;
        }
        Connection on = last;
        if (c == FailureClass.READ_ONLY && (session.readOnly()
                || Boolean.FALSE.equals(inDoubt.standby(on)) && on != openedOnStandby)) {
            // Made read-only by the application (setReadOnly, SET default_transaction_read_only, BEGIN READ ONLY),
            // its role or database, on a server that is no standby: another connection would refuse it just the same.
            return FailureClass.FATAL;
        }
        if (c == FailureClass.READ_ONLY) {
            seekPrimary = true;
        }
        return c;
    }

    // The last failure that ended the connection for the application; classify() may be asked about it more than once.
    private volatile SQLException endedBy;

    /**
     * The application's own limit ran out (socketTimeout, setNetworkTimeout) and the real driver closed
     * the connection. Nothing is made again and nothing is replayed — that would stretch the limit the
     * application chose: see {@link #endedForTheApplication}.
     */
    boolean ranOutOfOwnTime(SQLException e) {
        if (!RerunRules.applicationTimeLimit(e)) {
            return false;
        }
        if (e != endedBy) {
            endedForTheApplication(e);
        }
        return true;
    }

    /**
     * A failure that is the application's answer (not a lost connection) after which the real driver
     * closed the connection itself: pgjdbc does so when the session set a client_encoding (DateStyle,
     * standard_conforming_strings) it refuses, or the application's own stream failed while it was
     * sent. A new connection would only hide that: as raw.
     */
    void closedByTheDriver(SQLException e) {
        Connection p = physical;
        String state = e.getSQLState();
        // Only a connection error (08) the classifier judged the application's own: a server ending an idle
        // session (57P05) or the like stays a loss that the next call recovers from.
        if (p == null || closed || e == endedBy || state == null || !state.startsWith("08")
                || retrier.classifier().classify(e) != FailureClass.FATAL) {
            return;
        }
        boolean gone;
        try {
            gone = p.isClosed();
        } catch (SQLException | RuntimeException unknown) {
            gone = false;
        }
        if (gone) {
            endedForTheApplication(e);
        }
    }

    /**
     * The real driver ended the connection because of what the application asked for (its own time
     * limit, a setting it refuses). Outside a transaction that had work the logical connection ends
     * as the raw one does: isClosed() true, every later call 08003, so pools see it (isClosed, isValid)
     * and nothing reconnects behind the application's back. Inside one the transaction is lost (40000
     * until rollback) and the connection lives on: the timed-out statement is never run again.
     */
    private void endedForTheApplication(SQLException e) {
        endedBy = e;
        Connection p;
        ReentrantLock lock = swap();
        lock.lock();
        try {
            p = physical;
            if (p == null) {
                return;
            }
            physical = null;
            TransactionState t = tx;
            if (t != null && t.hasWork()) {
                t.ranOutOfOwnTime();
            } else {
                closed = true;
            }
        } finally {
            lock.unlock();
        }
        opener.discard(p);
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // it is already broken; closing only releases what the driver still holds
        }
    }
}
