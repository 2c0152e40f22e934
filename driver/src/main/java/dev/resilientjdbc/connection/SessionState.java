package dev.resilientjdbc.connection;

import dev.resilientjdbc.util.SqlText;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Session state the application set through JDBC — autocommit, isolation, read-only, catalog,
 * schema, holdability, network timeout, client info, type map — and through SQL (PostgreSQL's
 * session-level {@code SET}, {@code RESET}, {@code DISCARD ALL}), kept so a new physical connection
 * can be put in the same state. Last write wins per setting; restored in the order last set. A
 * {@code SET} inside a transaction counts once the transaction commits, as on the server.
 */
public final class SessionState {
    private static final java.lang.invoke.VarHandle BOOK;

    static {
        try {
            BOOK = java.lang.invoke.MethodHandles.lookup().findVarHandle(SessionState.class, "book", Book.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // What was recorded, made by the first setter or SET: most connections (a pool borrow that only queries) never
    // change their session and should not pay for a lock, a map and a list. Null: nothing was ever recorded.
    private volatile Book book;
    private volatile boolean autoCommit = true;
    // The application called setAutoCommit: a new connection gets its last value, after every other setting.
    // Kept out of the book: a pool borrow sets autocommit and nothing else, and needs no lock nor map for it.
    private volatile boolean autoCommitSet;
    private volatile boolean readOnly;

    /** True when {@code method} changes session state; then it is recorded after it succeeded. */
    public static boolean isSetter(Method method) {
        if (method.getDeclaringClass() != Connection.class) {
            return false;
        }
        switch (method.getName()) {
            case "setAutoCommit":
            case "setTransactionIsolation":
            case "setReadOnly":
            case "setCatalog":
            case "setSchema":
            case "setHoldability":
            case "setNetworkTimeout":
            case "setClientInfo":
            case "setTypeMap":
                return true;
            default:
                return false;
        }
    }

    public void record(Method method, Object[] args) {
        if (method.getName().equals("setAutoCommit")) {
            recordAutoCommit((Boolean) args[0]);
            return;
        }
        Book b = book();
        ReentrantLock lock = b.lock;
        Map<String, Object> settings = b.settings;
        String key = method.getName();
        if (key.equals("setClientInfo") && args.length == 2) {
            key = "setClientInfo:" + args[0];
        } else if (key.equals("setClientInfo")) {
            // A whole Properties object replaces every single client-info value set before.
            lock.lock();
            try {
                settings.keySet().removeIf(k -> k.startsWith("setClientInfo:"));
            } finally {
                lock.unlock();
            }
        }
        if (key.equals("setReadOnly")) {
            readOnly = (Boolean) args[0];
        }
        lock.lock();
        try {
            settings.remove(key);
            settings.put(key, new Recorded(method, args));
        } finally {
            lock.unlock();
        }
    }

    /** setAutoCommit succeeded (or will be applied to the next connection). */
    public void recordAutoCommit(boolean on) {
        autoCommit = on;
        autoCommitSet = true;
    }

    /** A session-state change made with SQL that succeeded; inside a transaction it waits for the commit. */
    public void recordSql(SqlText.SessionChange change, String sql, boolean inTransaction) {
        Book b = book();
        b.lock.lock();
        try {
            if (inTransaction) {
                b.pending.add(new Object[]{change, sql});
                b.hasPending = true;
            } else {
                apply(b.settings, change, sql);
            }
        } finally {
            b.lock.unlock();
        }
    }

    /** The transaction committed: its SET statements are now the session's. */
    public void commitPending() {
        Book b = book;
        if (b == null || !b.hasPending) {
            return; // nothing waits for a commit: no lock taken on every COMMIT
        }
        b.lock.lock();
        try {
            for (Object[] p : b.pending) {
                apply(b.settings, (SqlText.SessionChange) p[0], (String) p[1]);
            }
            b.pending.clear();
            b.hasPending = false;
        } finally {
            b.lock.unlock();
        }
    }

    /** The transaction ended without committing (or its outcome is unknown): the server undid its SETs. */
    public void dropPending() {
        Book b = book;
        if (b == null || !b.hasPending) {
            return;
        }
        b.lock.lock();
        try {
            b.pending.clear();
            b.hasPending = false;
        } finally {
            b.lock.unlock();
        }
    }

    private Book book() {
        Book b = book;
        if (b == null) {
            b = new Book();
            Book raced = (Book) BOOK.compareAndExchange(this, null, b);
            if (raced != null) {
                b = raced;
            }
        }
        return b;
    }

    /** The recorded settings and pending SETs, and the lock that guards them. */
    private static final class Book {
        final ReentrantLock lock = new ReentrantLock();
        // A Recorded JDBC call, or the text of a SET statement (key "sql:<setting>").
        final Map<String, Object> settings = new LinkedHashMap<>();
        // SET/RESET statements of the open transaction, in order: they take effect when it commits.
        final List<Object[]> pending = new ArrayList<>();
        // pending is not empty; read without the lock by every COMMIT and rollback, written under it.
        volatile boolean hasPending;
    }

    // RESET is recorded like SET, not as a forgetting: it returns the setting to the session's default, which is not
    // always what a new connection starts with (pgjdbc's startup application_name, for one). Run again, it gives the
    // new session the same value.
    private static void apply(Map<String, Object> settings, SqlText.SessionChange change, String sql) {
        switch (change.kind) {
            case SET:
            case RESET:
                settings.remove("sql:" + change.name);
                settings.put("sql:" + change.name, sql);
                break;
            case RESET_ALL:
                // Everything set before is undone on the server: only this statement matters from here on.
                settings.keySet().removeIf(k -> k.startsWith("sql:"));
                settings.remove("setSchema");
                settings.put("sql:*", sql);
                break;
            default:
                break;
        }
    }

    public boolean autoCommit() {
        return autoCommit;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Puts a freshly opened physical connection into the recorded state. */
    public void restoreOn(Connection physical) throws SQLException {
        Book b = book;
        if (b != null) {
            Object[] all;
            b.lock.lock();
            try {
                all = b.settings.values().toArray();
            } finally {
                b.lock.unlock();
            }
            for (Object o : all) {
                if (o instanceof String) {
                    try (Statement s = physical.createStatement()) {
                        s.execute((String) o);
                    }
                } else {
                    ((Recorded) o).applyTo(physical);
                }
            }
        }
        // Autocommit last: while it is still on, settings that run SQL (setSchema, SET) cannot open a
        // transaction that a later setting (setReadOnly, setTransactionIsolation) would then refuse.
        if (autoCommitSet) {
            physical.setAutoCommit(autoCommit);
        }
    }
}
