package dev.resilientjdbc.agent.boot;

import java.util.function.Function;

/**
 * What the instrumented drivers call. The advice inlined into a driver class reaches it by name
 * through the system class loader (which holds the agent jar), and through a java.base type only,
 * so a driver loaded by any loader — a web application's, whose parent is not ours — can call it.
 * This needs no boot class path entry (which would switch off class data sharing for the app).
 */
public final class ConnectHook {
    /** The name the advice looks this class up by. */
    public static final String CLASS_NAME = "dev.resilientjdbc.agent.boot.ConnectHook";
    /** The field the advice reads: takes {@code {site, target, first, second}}, returns the connection or null. */
    public static final String FIELD_NAME = "DISPATCH";

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

    // Depth of "open the real thing" sections on this thread (null: none yet): physical opens made by
    // our own logical connections must reach the real driver untouched, never be wrapped a second time.
    private static final ThreadLocal<int[]> RAW_DEPTH = new ThreadLocal<>();
    private static volatile Handler handler;

    // A named class rather than ConnectHook::dispatch: this class is initialised in premain, where a
    // lambda's bootstrap is start-up time every application pays.
    public static final Function<Object[], Object> DISPATCH = new Dispatch();

    private ConnectHook() {}

    public static void install(Handler h) {
        handler = h;
    }

    private static Object dispatch(Object[] call) {
        Handler h = handler;
        int[] depth = RAW_DEPTH.get();
        if (h == null || depth != null && depth[0] > 0) {
            return null;
        }
        try {
            return h.open((Integer) call[0], call[1], call[2], call[3]);
        } catch (Exception e) {
            // The real method declares SQLException; let it travel unchanged through Function.apply.
            throw Sneaky.<RuntimeException>rethrow(e);
        }
    }

    /** Marks the start of a physical open that must not be wrapped; pair with {@link #endRaw()} in a finally. */
    public static void beginRaw() {
        int[] depth = RAW_DEPTH.get();
        if (depth == null) {
            depth = new int[1];
            RAW_DEPTH.set(depth);
        }
        depth[0]++;
    }

    public static void endRaw() {
        RAW_DEPTH.get()[0]--;
    }

    private static final class Dispatch implements Function<Object[], Object> {
        @Override
        public Object apply(Object[] call) {
            return dispatch(call);
        }
    }

    private static final class Sneaky {
        @SuppressWarnings("unchecked")
        static <T extends Throwable> T rethrow(Throwable t) throws T {
            throw (T) t;
        }
    }
}
