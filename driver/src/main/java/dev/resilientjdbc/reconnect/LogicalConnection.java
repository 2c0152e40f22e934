package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.Retrier;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
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

    /** Opens a new physical connection (through the retrier's connect policy). */
    @FunctionalInterface
    public interface Opener {
        Connection open() throws SQLException;
    }

    private final Retrier retrier;
    private final Opener opener;
    private final SessionState session = new SessionState();
    private final ReentrantLock swap = new ReentrantLock();
    private volatile Connection physical;
    private volatile Connection last;
    private volatile int generation;
    private volatile boolean closed;
    // Explicit transaction bookkeeping: did the current transaction run anything, and was it lost?
    private volatile boolean txHasWork;
    private volatile boolean txLost;
    private volatile SQLException reconnectFailure;

    public LogicalConnection(Connection first, Retrier retrier, Opener opener) {
        this.physical = first;
        this.last = first;
        this.retrier = retrier;
        this.opener = opener;
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
        swap.lock();
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
                closeQuietly(fresh);
                reconnectFailure = e;
                throw e;
            }
            generation++;
            last = fresh;
            physical = fresh;
            retrier.guard().stats().onReconnected();
            LOG.log(Level.INFO, "resilient-jdbc: reconnected to {0}", retrier.guard().name());
            return fresh;
        } finally {
            swap.unlock();
        }
    }

    /** True when {@code e} is the failure of our own reconnect: its budget is spent, no more retries. */
    public boolean isReconnectFailure(SQLException e) {
        return e == reconnectFailure;
    }

    /** The physical connection {@code which} is gone: close it, forget it, and lose an explicit transaction that had work. */
    public void lost(Connection which) {
        swap.lock();
        try {
            if (which == null || physical != which) {
                return;
            }
            physical = null;
            if (txHasWork) {
                txLost = true;
                txHasWork = false;
            }
        } finally {
            swap.unlock();
        }
        closeQuietly(which);
        LOG.log(Level.FINE, "resilient-jdbc: lost the physical connection to {0}", retrier.guard().name());
    }

    /** Called before a statement runs; returns whether the transaction had already done something. */
    public boolean beforeExecute() throws SQLException {
        if (txLost) {
            throw lostTransaction();
        }
        boolean had = txHasWork;
        if (!session.autoCommit()) {
            txHasWork = true;
        }
        return had;
    }

    /** The statement that opened the transaction runs again on a new connection: the transaction starts afresh. */
    void restartTransaction() {
        txLost = false;
        txHasWork = true;
    }

    /** commit, rollback or a switch to autocommit ended the transaction. */
    public void transactionEnded() {
        txHasWork = false;
        txLost = false;
    }

    /** Throws when the current transaction was lost with its connection; clears the mark (the transaction is over). */
    public void checkCommittable() throws SQLException {
        if (txLost) {
            txLost = false;
            throw lostTransaction();
        }
    }

    public boolean transactionHasWork() {
        return txHasWork;
    }

    /** The application closed the connection. */
    public void close() throws SQLException {
        closed = true;
        Connection p = physical;
        if (p != null) {
            p.close();
        }
    }

    public FailureClass classify(SQLException e) {
        return retrier.classifier().classify(e);
    }

    private static SQLException lostTransaction() {
        return new SQLTransactionRollbackException("resilient-jdbc: the connection was lost in the middle of this transaction,"
                + " and the database rolled the transaction back; call rollback() and run the transaction again", "40000");
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // it is already broken; closing only releases what the driver still holds
        }
    }
}
