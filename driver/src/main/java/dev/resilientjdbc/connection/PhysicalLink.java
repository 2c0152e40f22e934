package dev.resilientjdbc.connection;

import dev.resilientjdbc.dialect.InDoubt;
import dev.resilientjdbc.retry.FallbackState;
import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.retry.Retrier;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The physical side of one logical connection, and its only owner: the physical connection now and the last
 * one (which answers once it is lost or closed), the lock taken only to replace it, its generation, the
 * reconnect (connect policy, session restore, resilient.readOnlyFallback's choice between a primary and a
 * standby), and the server sessions of the current and the previous connection, so that a session lost a
 * moment ago can still be ended once a new one is open. What a loss means for the transaction is the logical
 * connection's to decide; this object knows connections only.
 */
final class PhysicalLink {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.connection");

    private final Retrier retrier;
    private final LogicalConnection.Opener opener;
    private final InDoubt inDoubt;
    private final SessionState session;
    // resilient.readOnlyFallback of the target (null when off).
    private final FallbackState fallback;
    // Taken only when the physical connection is lost or replaced: made on first use (see swap()).
    private volatile ReentrantLock swap;
    private volatile Connection physical;
    private volatile Connection last;
    private volatile Connection openedOnStandby;
    // A standby refused a write on the connection just lost: the next one is asked of a primary (Opener.openForWrite).
    private volatile boolean seekPrimary;
    private volatile int generation;
    // Closed or aborted by the application, or ended for it: nothing reconnects any more.
    private volatile boolean closed;
    private volatile SQLException reconnectFailure;
    private volatile Backend backend;
    private volatile Backend previousBackend;
    // Whether the physical connection is a standby serving reads because no primary answered; whether the work
    // about to run needs a primary (a write, a transaction of a connection that is not read-only).
    private volatile boolean onStandby;
    private volatile boolean needsPrimary;
    private volatile long seenPrimaryEpoch;

    private static final java.lang.invoke.VarHandle SWAP;

    static {
        try {
            SWAP = java.lang.invoke.MethodHandles.lookup().findVarHandle(PhysicalLink.class, "swap", ReentrantLock.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    PhysicalLink(Connection first, Retrier retrier, LogicalConnection.Opener opener, InDoubt inDoubt, SessionState session,
                 FallbackState fallback, boolean firstOnStandby) {
        this.physical = first;
        this.last = first;
        this.retrier = retrier;
        this.opener = opener;
        this.inDoubt = inDoubt;
        this.session = session;
        this.fallback = fallback;
        this.onStandby = firstOnStandby;
        this.seenPrimaryEpoch = fallback != null ? fallback.primaryEpoch() : 0;
        this.backend = new Backend(first);
        // As in install(): a transaction the first connection begins on a standby stays read-only past a promotion.
        this.openedOnStandby = inDoubt.openedOnStandby(first) ? first : null;
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

    /** The live physical connection, opening a new one when the last was lost. */
    Connection physical() throws SQLException {
        Connection p = physical;
        return p != null ? p : reconnect();
    }

    /** The current physical connection, or null when it was lost and not yet replaced. */
    Connection ifAlive() {
        return physical;
    }

    /** The physical connection without reconnecting: the current one or, once lost or closed, the last one. */
    Connection last() {
        return last;
    }

    int generation() {
        return generation;
    }

    boolean isClosed() {
        return closed;
    }

    /** No reconnect from now on: the application closed or aborted the connection, or it ended for the application. */
    void markClosed() {
        closed = true;
    }

    boolean fallbackOn() {
        return fallback != null;
    }

    boolean onStandby() {
        return onStandby;
    }

    /** True when {@code e} is the failure of our own reconnect: its budget is spent, no more retries. */
    boolean isReconnectFailure(SQLException e) {
        return e == reconnectFailure;
    }

    /** A standby refused a write on the connection about to be dropped: the next one is asked of a primary. */
    void seekPrimary() {
        seekPrimary = true;
    }

    /**
     * Whether the server of the last physical connection reported itself a primary and the session was not opened on
     * a standby (whose read-only transactions outlive a promotion): a 25006 there is the application's own answer.
     */
    boolean onKnownPrimary() {
        Connection on = last;
        return Boolean.FALSE.equals(inDoubt.standby(on)) && on != openedOnStandby;
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
                    LogicalConnection.Opened o = openForRead(opener, f, inDoubt, retrier);
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
        openedOnStandby = inDoubt.openedOnStandby(fresh) ? fresh : null;
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

    /**
     * Takes {@code which} out of use when it is the current physical connection, closes it and forgets it;
     * {@code underLock} runs before another connection can take its place. Returns whether it was the current one.
     */
    boolean drop(Connection which, Runnable underLock) {
        ReentrantLock lock = swap();
        lock.lock();
        try {
            if (which == null || physical != which) {
                return false;
            }
            physical = null;
            underLock.run();
        } finally {
            lock.unlock();
        }
        opener.discard(which);
        LOG.log(Level.FINE, "resilient-jdbc: lost the physical connection to {0}", retrier.guard().name());
        return true;
    }

    /** As {@link #drop} for whatever connection is current; false when there is none. */
    boolean dropCurrent(Runnable underLock) {
        ReentrantLock lock = swap();
        lock.lock();
        Connection p;
        try {
            p = physical;
            if (p == null) {
                return false;
            }
            physical = null;
            underLock.run();
        } finally {
            lock.unlock();
        }
        opener.discard(p);
        return true;
    }

    /** A physical connection made outside the link (a lookup that found no use for it) goes where dead ones go. */
    void discard(Connection c) {
        opener.discard(c);
    }

    // ---- resilient.readOnlyFallback ----

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

    /** See {@link LogicalConnection#openForRead}. */
    static LogicalConnection.Opened openForRead(LogicalConnection.Opener opener, FallbackState state, InDoubt inDoubt,
                                                Retrier retrier) throws SQLException {
        if (state.degraded()) {
            state.lookForPrimary(opener::openPrimaryOnce);
        } else { // when already known to have none: straight to a standby, the look for a primary in the background
            try {
                Connection p = opener.openPrimaryOnce();
                if (p != null) {
                    state.primaryReached();
                    return new LogicalConnection.Opened(p, false);
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
            return new LogicalConnection.Opened(s, false);
        }
        String member = inDoubt.serverAddress(s);
        state.servedBy(member);
        LOG.log(Level.FINE, "resilient-jdbc: no primary of {0} answers; reads served by standby {1} (resilient.readOnlyFallback)",
                new Object[]{retrier.guard().name(), member});
        return new LogicalConnection.Opened(s, true);
    }

    /**
     * resilient.readOnlyFallback, at the start of an autocommit statement or a transaction: {@code reads} says the work
     * may be served by a standby (the connection is read-only, or an autocommit query). Work that needs a primary
     * leaves a standby (the next physical() waits for a primary); reads on a standby move to a primary once one is back.
     */
    void route(boolean reads) throws SQLException {
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

    // ---- the server sessions behind the physical connections ----

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

    /** The server session of {@code old}, a physical connection this link had, when it was learnt; else null. */
    Object sessionOf(Connection old) {
        Backend b = backend;
        Backend p = previousBackend;
        Backend which = old == null ? null : b != null && b.physical == old ? b : p != null && p.physical == old ? p : null;
        return which != null ? which.session : null;
    }

    /** A physical connection, when this link got it, and its server session once learnt. */
    private static final class Backend {
        final Connection physical;
        final long openedAt = System.currentTimeMillis();
        volatile Object session;
        volatile boolean known;

        Backend(Connection physical) {
            this.physical = physical;
        }
    }
}
