package dev.resilientjdbc.agent.boot;

import java.util.Properties;

/**
 * The one class the instrumented drivers call. It is put on the boot class path so that advice
 * inlined into a driver loaded by any class loader (a web application's, a plugin's) can see it;
 * hence it uses java.base types only. The agent installs the handler that does the real work.
 */
public final class ConnectHook {
    /** {@code Driver.connect(String url, Properties info)}. */
    public static final int DRIVER_CONNECT = 0;
    /** {@code DataSource.getConnection()}. */
    public static final int DATA_SOURCE = 1;
    /** {@code DataSource.getConnection(String user, String password)}. */
    public static final int DATA_SOURCE_USER = 2;

    /** Builds the resilient connection, or returns null to let the real method run unchanged. */
    public interface Handler {
        Object open(int site, Object target, Object first, Object second) throws Exception;
    }

    // Depth of "open the real thing" sections on this thread: physical opens made by our own
    // logical connections must reach the real driver untouched, never be wrapped a second time.
    private static final ThreadLocal<int[]> RAW_DEPTH = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };
    private static volatile Handler handler;

    private ConnectHook() {}

    public static void install(Handler h) {
        handler = h;
    }

    public static Object driverConnect(Object driver, String url, Properties info) throws Exception {
        return open(DRIVER_CONNECT, driver, url, info);
    }

    public static Object dataSource(Object dataSource) throws Exception {
        return open(DATA_SOURCE, dataSource, null, null);
    }

    public static Object dataSourceUser(Object dataSource, String user, String password) throws Exception {
        return open(DATA_SOURCE_USER, dataSource, user, password);
    }

    private static Object open(int site, Object target, Object first, Object second) throws Exception {
        Handler h = handler;
        if (h == null || RAW_DEPTH.get()[0] > 0) {
            return null;
        }
        return h.open(site, target, first, second);
    }

    /** Marks the start of a physical open that must not be wrapped; pair with {@link #endRaw()} in a finally. */
    public static void beginRaw() {
        RAW_DEPTH.get()[0]++;
    }

    public static void endRaw() {
        RAW_DEPTH.get()[0]--;
    }
}
