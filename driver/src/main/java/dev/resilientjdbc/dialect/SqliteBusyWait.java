package dev.resilientjdbc.dialect;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the application said how an SQLite connection waits for a busy file: a busy_timeout above
 * zero (URL, Properties, SQLiteConfig, PRAGMA) or a BusyHandler of its own. Then SQLite waits as told
 * and its SQLITE_BUSY is the application's answer: no retry of ours on top, no wait at our per-file
 * gate. A busy_timeout of 0 is SQLite's own default (no waiting at all): it leaves the waiting to us.
 */
public final class SqliteBusyWait {
    private static final Pattern PRAGMA = Pattern.compile("^\\s*pragma\\s+(?:\\w+\\.)?busy_timeout\\s*(?:=\\s*|\\(\\s*)(-?\\d+)",
            Pattern.CASE_INSENSITIVE);
    private static final String KEY = "busy_timeout";

    // Set by the URL or properties, then by each PRAGMA busy_timeout the connection ran.
    private volatile boolean timeoutSet;

    public SqliteBusyWait(boolean timeoutSet) {
        this.timeoutSet = timeoutSet;
    }

    /** A positive busy_timeout in the real URL's parameters or the properties (SQLiteConfig puts it there). */
    public static boolean declaredIn(String realUrl, Properties info) {
        String value = info == null ? null : info.getProperty(KEY);
        int q = realUrl.indexOf('?');
        if (q >= 0) {
            for (String pair : realUrl.substring(q + 1).split("&")) {
                if (pair.regionMatches(true, 0, KEY + "=", 0, KEY.length() + 1)) {
                    value = pair.substring(KEY.length() + 1);
                }
            }
        }
        return positive(value);
    }

    /** A statement that ran: a PRAGMA busy_timeout changes how the application waits. */
    public void ran(String sql) {
        if (sql == null || sql.length() < 19 || !sql.regionMatches(true, firstNonSpace(sql), "pragma", 0, 6)) {
            return;
        }
        Matcher m = PRAGMA.matcher(sql);
        if (m.find()) {
            timeoutSet = positive(m.group(1));
        }
    }

    /** Whether SQLite waits for the file as the application told it to, on this real connection. */
    public boolean applies(Connection physical) {
        return timeoutSet || handlerInstalled(physical);
    }

    private static boolean positive(String value) {
        try {
            return value != null && Integer.parseInt(value.trim()) > 0;
        } catch (NumberFormatException e) {
            return false; // sqlite-jdbc refuses it at connect; nothing is set
        }
    }

    private static int firstNonSpace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    // sqlite-jdbc keeps an installed BusyHandler (BusyHandler.setHandler) as a native reference in NativeDB's private
    // field busyHandler (0 when none): read through reflection, so that sqlite-jdbc stays a run-time-only dependency.
    private static final ClassValue<Method> GET_DATABASE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                return type.getMethod("getDatabase");
            } catch (NoSuchMethodException | RuntimeException e) {
                return null;
            }
        }
    };
    private static final ClassValue<Field> HANDLER = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            try {
                Field f = type.getDeclaredField("busyHandler");
                f.setAccessible(true);
                return f.getType() == long.class ? f : null;
            } catch (NoSuchFieldException | RuntimeException e) {
                return null; // another sqlite-jdbc, or a module that does not open it: no handler known
            }
        }
    };

    static boolean handlerInstalled(Connection physical) {
        try {
            Object real = physical;
            Method getDatabase = GET_DATABASE.get(real.getClass());
            if (getDatabase == null && physical.isWrapperFor(Connection.class)) {
                real = physical.unwrap(Connection.class); // a pool's proxy: the SQLite connection behind it
                getDatabase = GET_DATABASE.get(real.getClass());
            }
            if (getDatabase == null) {
                return false;
            }
            Object db = getDatabase.invoke(real);
            Field f = db == null ? null : HANDLER.get(db.getClass());
            return f != null && f.getLong(db) != 0;
        } catch (ReflectiveOperationException | java.sql.SQLException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
