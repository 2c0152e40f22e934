package dev.resilientjdbc.transaction;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Lets explicit transactions on one SQLite file run one at a time within this JVM. SQLite allows one
 * writer at a time anyway; without this, two transactions that read and then write find each other
 * out only at the write (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT), after each has read data the other
 * then changes, and no replay can hide that. With it they never meet. A permit, not a lock, because
 * a transaction may end on another thread than it began on.
 */
public final class TransactionGate {
    private static final ConcurrentHashMap<String, File> FILES = new ConcurrentHashMap<>();

    /** One SQLite file's permit, and the thread that took it (a transaction may end on another thread). */
    private static final class File {
        final Semaphore permit = new Semaphore(1, true);
        volatile Thread holder;
    }

    private final File file;
    private final Semaphore permit;
    private final Duration wait;
    // Left by commit, rollback or close on the connection's thread, or by abort() from any thread: released once.
    private final java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();

    private TransactionGate(File file, Duration wait) {
        this.file = file;
        this.permit = file.permit;
        this.wait = wait;
    }

    /** A gate for a real SQLite URL naming a file; null for in-memory databases and other drivers. */
    public static TransactionGate forSqlite(String realUrl, Duration wait) {
        if (!realUrl.startsWith("jdbc:sqlite:")) {
            return null;
        }
        String name = realUrl.substring("jdbc:sqlite:".length());
        int q = name.indexOf('?');
        String query = q < 0 ? "" : name.substring(q + 1);
        name = q < 0 ? name : name.substring(0, q);
        if (name.isEmpty() || name.contains(":memory:") || name.startsWith("file::memory")) {
            return null; // private to one connection: nobody to wait for
        }
        if (name.startsWith("file:")) {
            name = name.substring(5);
        }
        // file:name?mode=memory&cache=shared is a named in-memory database, shared by the connections that name it:
        // they take turns like a file's, but it is no file in the working directory.
        String key = ("&" + query + "&").contains("&mode=memory&") ? "memory:" + name
                : Path.of(name).toAbsolutePath().normalize().toString();
        return new TransactionGate(FILES.computeIfAbsent(key, k -> new File()), wait);
    }

    /**
     * Before a transaction's first statement (or an autocommit write); {@code physical} is the connection it
     * will run on. {@code mayWait} false: take the file's turn only when it is free, never wait for it.
     */
    public void enter(Object physical, boolean mayWait) throws SQLException {
        if (held.get()) {
            return;
        }
        if (heldByThisThreadElsewhere()) {
            // Another connection of this very thread holds the file's transaction: waiting could only end in our
            // own timeout. SQLite answers as it would without us (SQLITE_BUSY after the connection's busy_timeout).
            return;
        }
        if (!mayWait) {
            // The application said how to wait (busy_timeout, its BusyHandler): the turn if it is free, else SQLite's own waiting.
            if (permit.tryAcquire()) {
                held.set(true);
                file.holder = Thread.currentThread();
            }
            return;
        }
        try {
            if (!permit.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw busy(physical, "resilient-jdbc: another transaction on this SQLite file in this JVM did not end within "
                        + wait.toMillis() + " ms (resilient.retry.maxDuration); the database is busy");
            }
            held.set(true);
            file.holder = Thread.currentThread();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("resilient-jdbc: interrupted while waiting for another transaction on this SQLite file", null, 5, e);
        }
    }

    /**
     * The busy answer as sqlite-jdbc gives it (SQLiteException, SQLITE_BUSY), so that applications that
     * catch that type or result code see what the raw driver would show them; made through the real
     * connection's class loader, since sqlite-jdbc may live in another one than ours.
     */
    private static SQLException busy(Object physical, String message) {
        try {
            ClassLoader loader = physical == null ? TransactionGate.class.getClassLoader() : physical.getClass().getClassLoader();
            Class<?> code = Class.forName("org.sqlite.SQLiteErrorCode", false, loader);
            Object sqliteBusy = code.getField("SQLITE_BUSY").get(null);
            Class<?> type = Class.forName("org.sqlite.SQLiteException", false, loader);
            return (SQLException) type.getConstructor(String.class, code).newInstance("[SQLITE_BUSY] " + message, sqliteBusy);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return new SQLException(message, null, 5); // SQLITE_BUSY's result code, as sqlite-jdbc reports it
        }
    }

    /** The transaction ended (commit, rollback, close). */
    public void leave() {
        if (held.compareAndSet(true, false)) {
            file.holder = null;
            permit.release();
        }
    }

    /**
     * Another connection's transaction on this file was begun by the calling thread: a busy answer cannot
     * get better while this thread waits, so it is the application's, as with the raw driver.
     */
    public boolean heldByThisThreadElsewhere() {
        return !held.get() && file.holder == Thread.currentThread();
    }
}
