package dev.resilientjdbc.connection;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.Reflective;
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

/**
 * The connection the application holds for its whole life, and the one owner of what it keeps across
 * physical connections: the session state, the explicit transaction (its state and log), the commit
 * protocol and the replay recovery. Underneath, the {@link PhysicalLink} replaces the physical
 * connection whenever it is lost (connect retries and breaker apply, the recorded session is put
 * back); statements follow lazily. Whether a failed call may be made again is decided by
 * {@link CallGate} and {@link dev.resilientjdbc.retry.RerunRules}; a failure's class for this connection
 * is {@link #classify} (it only answers), and what a failure ends is ended by {@link #failed}.
 */
public final class LogicalConnection {

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
    private final InDoubt inDoubt;
    private final long replayMaxBytes;
    private final boolean exactlyOnceWrites;
    private final long replayFirstWaitNanos;
    private final TransactionGate gate;
    // SQLite: whether the application said how to wait for a busy file (null for other databases).
    private final SqliteBusyWait busyWait;
    private final SessionState session = new SessionState();
    // The physical side: which physical connection is current, its replacement and its server session.
    private final PhysicalLink link;
    // Made by the first explicit transaction (see log()); until then it would be an empty, freshly reset one.
    private volatile TransactionLog log;
    // The explicit transaction: did it run anything, was it lost, must it be replayed first? Made when the first
    // statement outside autocommit runs (see tx()); null reads as a transaction in phase NONE.
    private volatile TransactionState tx;
    // COMMIT, exactly-once autocommit writes and the resolution of a lost COMMIT reply; made at the first of them
    // (a pool borrow that only reads in autocommit never needs it).
    private volatile CommitProtocol commits;
    // Recovery of the explicit transaction by replay; made at its first failure (a healthy connection never needs it).
    private volatile ReplayRecovery recovery;

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
        this.retrier = retrier;
        this.inDoubt = inDoubt;
        this.replayMaxBytes = setup.replayMaxBytes();
        this.exactlyOnceWrites = setup.exactlyOnceWrites();
        this.replayFirstWaitNanos = setup.replayFirstWait().toNanos();
        this.gate = setup.gate();
        this.busyWait = setup.busyWait();
        this.link = new PhysicalLink(first, retrier, opener, inDoubt, session, setup.fallback(), setup.firstOnStandby());
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

    private ReplayRecovery recovery() {
        ReplayRecovery r = recovery;
        if (r == null) {
            r = new ReplayRecovery(this);
            ReplayRecovery raced = (ReplayRecovery) RECOVERY.compareAndExchange(this, null, r);
            if (raced != null) {
                r = raced;
            }
        }
        return r;
    }

    /** The transaction's state, made on first need (readers that need no object read the field). */
    TransactionState tx() {
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

    private static final java.lang.invoke.VarHandle COMMITS;
    private static final java.lang.invoke.VarHandle RECOVERY;
    private static final java.lang.invoke.VarHandle TX;
    private static final java.lang.invoke.VarHandle ON_RELEASE;
    private static final java.lang.invoke.VarHandle LOG_FIELD;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            COMMITS = l.findVarHandle(LogicalConnection.class, "commits", CommitProtocol.class);
            RECOVERY = l.findVarHandle(LogicalConnection.class, "recovery", ReplayRecovery.class);
            TX = l.findVarHandle(LogicalConnection.class, "tx", TransactionState.class);
            ON_RELEASE = l.findVarHandle(LogicalConnection.class, "onRelease", Runnable.class);
            LOG_FIELD = l.findVarHandle(LogicalConnection.class, "log", TransactionLog.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }


    /** Whether resilient.readOnlyFallback is on for this connection. */
    public boolean fallbackOn() {
        return link.fallbackOn();
    }

    /** resilient.readOnlyFallback: an autocommit batch is about to run; it writes, unless the connection is read-only. */
    public void beforeAutocommitBatch() throws SQLException {
        if (link.fallbackOn()) {
            link.route(session.readOnly());
        }
    }

    /** Whether the physical connection is a standby serving reads while no primary answers (resilient.readOnlyFallback). */
    public boolean onStandby() {
        return link.onStandby();
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
        return PhysicalLink.openForRead(opener, state, inDoubt, retrier);
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

    /** See {@link PhysicalLink#noteSession}. */
    void noteSession() {
        link.noteSession();
    }

    /** Ends the server session of {@code old}, a physical connection this logical one has just lost, using {@code fresh}. */
    void endOldBackend(Connection old, Connection fresh) {
        inDoubt.endOldBackend(link.sessionOf(old), fresh);
    }

    /** The server session of {@code old}, a physical connection this logical one had, when it was learnt; else null. */
    Object sessionOf(Connection old) {
        return link.sessionOf(old);
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
        return link.generation();
    }

    /** The live physical connection, opening a new one when the last was lost. */
    public Connection physical() throws SQLException {
        return link.physical();
    }

    /** The current physical connection, or null when it was lost and not yet replaced. */
    public Connection physicalIfAlive() {
        return link.ifAlive();
    }

    /** The physical connection without reconnecting: the current one or, once lost or closed, the last one. */
    public Connection lastPhysical() {
        return link.last();
    }

    public boolean isClosed() {
        return link.isClosed();
    }

    /** True when {@code e} is the failure of our own reconnect: its budget is spent, no more retries. */
    public boolean isReconnectFailure(SQLException e) {
        return link.isReconnectFailure(e);
    }

    /** The physical connection {@code which} is gone: close it, forget it, and lose an explicit transaction that had work. */
    public void lost(Connection which) {
        link.drop(which, () -> {
            TransactionState t = tx;
            if (t != null) { // without one nothing ran outside autocommit: nothing to lose
                t.connectionLost(which, log().replayable(), log().notReplayableBecause());
            }
        });
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
            if (link.fallbackOn()) {
                link.route(session.readOnly() || autoCommit && query);
            }
            if (link.ifAlive() == null) {
                link.physical(); // the reconnect first: it may wait out an outage, after which replays are what come first
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
                    g.enter(link.last(), true);
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
        g.enter(link.last(), !waitsItsOwnWay());
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
        directly = link.last();
        log().markNotReplayable(OUT_OF_SIGHT);
    }

    private static final String OUT_OF_SIGHT = "the application drives the real connection's own API (COPY), which cannot be recorded";
    // The physical connection whose own API the application holds (see drivenDirectly()), or null.
    private volatile Connection directly;

    /** Whether work of the application's on {@code lost} ran out of our sight (COPY): a loss only it can judge. */
    public boolean lostWorkOutOfSight(Connection lost) {
        return lost != null && lost == directly && !session.autoCommit();
    }


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
        return w != null && w.applies(link.last());
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
            if (d != null && d == link.ifAlive()) {
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
            return recovery().replayThen(t.lostOn(), call);
        }
        Connection on = link.physical();
        try {
            return call.call();
        } catch (SQLException first) {
            return recovery().afterFailure(first, on, call, statement, hadWork);
        }
    }

    /** Replays the whole transaction on a fresh start of the current physical connection (used by commit). */
    void replayForCommit(Connection failedOn, boolean connectionLost, ReplayTurns.Turn held) throws SQLException {
        recovery().replayForCommit(failedOn, connectionLost, held);
    }

    /** Throws when the current transaction was lost with its connection; clears the mark (the transaction is over). */
    public void checkCommittable() throws SQLException {
        TransactionState t = tx;
        if (t != null) {
            t.checkCommittable();
        }
    }

    private boolean transactionUntouched() {
        TransactionState t = tx;
        return t == null || t.untouched();
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
            Reflective.invoke(link.last(), method, args); // the real driver's own answer to a bad argument
            return;
        }
        link.markClosed();
        released();
        TransactionGate g = gate;
        if (g != null) {
            g.leave();
        }
        Reflective.invoke(link.last(), method, args);
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
        link.markClosed();
        released();
        CommitProtocol c = commits;
        if (c != null) { // none made: no marker row was ever taken
            c.release();
        }
        TransactionGate g = gate;
        if (g != null) {
            g.leave();
        }
        Connection p = link.ifAlive();
        if (p != null) {
            p.close();
        }
    }

    private static final java.lang.reflect.Method COMMIT;

    static {
        try {
            COMMIT = Reflective.accessible(Connection.class.getMethod("commit")); // asked at every pool return
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** setSavepoint: a call of the transaction (replayed with it), its savepoint recorded for the replay to map. */
    public java.sql.Savepoint setSavepoint(java.lang.reflect.Method method, Object[] args) throws Throwable {
        boolean hadWork = beforeExecute();
        java.sql.Savepoint sp = (java.sql.Savepoint) inTransaction(() -> Reflective.invoke(physical(), method, args), null, hadWork);
        log().recordSavepoint(method, args, sp);
        return sp;
    }

    /** rollback(Savepoint), releaseSavepoint: run with the savepoint of the current physical connection. */
    public Object useSavepoint(java.lang.reflect.Method method, java.sql.Savepoint appSavepoint) throws Throwable {
        boolean hadWork = beforeExecute();
        Object r = inTransaction(() -> Reflective.invoke(physical(), method, new Object[]{log().translate(appSavepoint)}), null, hadWork);
        log().recordSavepointUse(method, appSavepoint);
        return r;
    }

    /**
     * A session setter (setAutoCommit when {@code autoCommitSetter}, setReadOnly, setTransactionIsolation, ...):
     * made on the physical connection and recorded for the next one. On a lost connection it is only recorded:
     * the new connection is put in that state when it opens.
     */
    public Object set(java.lang.reflect.Method method, Object[] args, boolean autoCommitSetter) throws Throwable {
        if (autoCommitSetter && Boolean.TRUE.equals(args[0]) && !session.autoCommit() && !transactionUntouched()) {
            // Switching autocommit on commits the open transaction: the same commit as commit(), with its
            // replay and in-doubt resolution, so a connection lost since the last call cannot drop it silently.
            // Where nothing ran since the last commit (a pool's reset at every return) the real driver's own
            // switch does all there is to do.
            commits().commit(COMMIT);
        }
        Connection p = physical();
        try {
            Object r = Reflective.invoke(p, method, args);
            record(method, args, autoCommitSetter);
            if (autoCommitSetter) {
                if (Boolean.TRUE.equals(args[0])) {
                    session.commitPending(); // switching autocommit on committed the open transaction
                }
                transactionEnded();
            }
            return r;
        } catch (SQLException e) {
            if (failed(e) == FailureClass.CONNECTION && !isClosed()) {
                lost(p);
                record(method, args, autoCommitSetter);
                return null;
            }
            throw e;
        }
    }

    private void record(java.lang.reflect.Method method, Object[] args, boolean autoCommitSetter) {
        if (autoCommitSetter) {
            session.recordAutoCommit((Boolean) args[0]);
        } else {
            session.record(method, args);
        }
    }

    /**
     * A read from a result set failed with {@code e}. Inside the replayable transaction that recorded it
     * ({@code track}): the database's own answer is recorded (a replay must meet it again) and thrown; a failure
     * recovery deals with replays the transaction, then reads on from the replayed result set ({@code readAgain}).
     * Anywhere else, see {@link #resultSetLost}.
     */
    public Object resultSetReadFailed(SQLException e, dev.resilientjdbc.replay.ResultSetTrack track, java.lang.reflect.Method method,
                                      Object[] args, Connection owner, Retrier.SqlCall<?> readAgain) throws Throwable {
        if (!isClosed() && track != null && log() == track.log() && log().replayable()) {
            if (!RerunRules.breaksAttempt(failed(e))) {
                log().recordFailedRead(track, method, args, e);
                throw e;
            }
            return inTransaction(readAgain, null, true);
        }
        throw resultSetLost(e, owner);
    }

    /**
     * A result set's read failed where nothing can recover it: rows already read stay readable, a result set whose
     * connection died cannot go on, and that connection, {@code owner}, is dropped (the next call reconnects).
     * Returns {@code e}, for the caller to throw.
     */
    public SQLException resultSetLost(SQLException e, Connection owner) {
        if (!isClosed() && failed(e) == FailureClass.CONNECTION) {
            lost(owner);
        }
        return e;
    }

    /** A failure that recovery deals with (replay, reconnect, backoff), not an answer of the database to the call. */
    boolean breaksAttempt(SQLException e) {
        return RerunRules.breaksAttempt(classify(e));
    }

    /**
     * The failure's class for this connection; it only answers, and may be asked any number of times. A read-only
     * failure (25006) is a reason to reconnect only when the server is read-only (a standby, or not known to be
     * none); in a session the application made read-only it is the application's own answer, never recovered. The
     * application's own time limit running out is never recovered either.
     */
    public FailureClass classify(SQLException e) {
        return classify(e, retrier.classifier().classify(e));
    }

    /** {@link #classify} given the classifier's own answer {@code c} for {@code e}. */
    private FailureClass classify(SQLException e, FailureClass c) {
        if (c == FailureClass.CONNECTION && RerunRules.applicationTimeLimit(e)) {
            return FailureClass.FATAL;
        }
        if (c == FailureClass.FATAL) {
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
        if (c == FailureClass.READ_ONLY && (session.readOnly() || link.onKnownPrimary())) {
            // Made read-only by the application (setReadOnly, SET default_transaction_read_only, BEGIN READ ONLY),
            // its role or database, on a server that is no standby: another connection would refuse it just the same.
            return FailureClass.FATAL;
        }
        return c;
    }

    /**
     * Takes in {@code e}, the failure of a call on the physical connection, and returns its class. What the
     * failure ends is ended here, once, whoever asks first: the application's own time limit ran out or the
     * real driver closed the connection over a setting the application made (the connection ends for the
     * application, as the raw one did: {@link #endedForTheApplication}); a standby refused a write (the next
     * physical connection is asked of a primary). {@link #classify} only answers.
     */
    public FailureClass failed(SQLException e) {
        FailureClass c = retrier.classifier().classify(e);
        if (c == FailureClass.CONNECTION) {
            ranOutOfOwnTime(e);
        } else if (c == FailureClass.FATAL) {
            closedByTheDriver(e);
        }
        FailureClass mine = classify(e, c);
        if (mine == FailureClass.READ_ONLY) {
            link.seekPrimary();
        }
        return mine;
    }

    // The last failure that ended the connection for the application; it may be taken in more than once.
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
        Connection p = link.ifAlive();
        String state = e.getSQLState();
        // Only a connection error (08) the classifier judged the application's own: a server ending an idle
        // session (57P05) or the like stays a loss that the next call recovers from.
        if (p == null || link.isClosed() || e == endedBy || state == null || !state.startsWith("08")
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
        link.dropCurrent(() -> {
            TransactionState t = tx;
            if (t != null && t.hasWork()) {
                t.ranOutOfOwnTime();
            } else {
                link.markClosed();
            }
        });
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // it is already broken; closing only releases what the driver still holds
        }
    }
}
