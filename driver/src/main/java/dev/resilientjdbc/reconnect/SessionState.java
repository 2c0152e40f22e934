package dev.resilientjdbc.reconnect;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Session state the application set through JDBC — autocommit, isolation, read-only, catalog,
 * schema, holdability, network timeout, client info, type map — kept so a new physical connection
 * can be put in the same state. Last write wins per setting; restored in the order last set.
 * State changed with SQL ({@code SET search_path ...}) is not seen here.
 */
public final class SessionState {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Recorded> settings = new LinkedHashMap<>();
    private volatile boolean autoCommit = true;
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
        if (key.equals("setAutoCommit")) {
            autoCommit = (Boolean) args[0];
        } else if (key.equals("setReadOnly")) {
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

    public boolean autoCommit() {
        return autoCommit;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Puts a freshly opened physical connection into the recorded state. */
    public void restoreOn(Connection physical) throws SQLException {
        Recorded[] all;
        lock.lock();
        try {
            all = settings.values().toArray(new Recorded[0]);
        } finally {
            lock.unlock();
        }
        // Autocommit last: while it is still on, settings that run SQL (setSchema) cannot open a
        // transaction that a later setting (setReadOnly, setTransactionIsolation) would then refuse.
        Recorded autoCommitSetting = null;
        for (Recorded r : all) {
            if (r.method.getName().equals("setAutoCommit")) {
                autoCommitSetting = r;
            } else {
                r.applyTo(physical);
            }
        }
        if (autoCommitSetting != null) {
            autoCommitSetting.applyTo(physical);
        }
    }
}
