package dev.resilientjdbc.agent.install;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches class loading for the classes where a supported real driver hands out a connection,
 * matched by name in any class loader (a driver loaded by a web application's own loader is
 * covered as well as one on the class path). Only a name comparison runs per loaded class;
 * the bytecode library (ASM's core, {@link Weaver}) is loaded when the first driver class appears, so an
 * application pays for it at its first JDBC use rather than before main.
 */
public final class Instrumenter implements ClassFileTransformer {
    static final String PG_DRIVER = "org/postgresql/Driver";
    static final String SQLITE_DRIVER = "org/sqlite/JDBC";
    static final String SQLITE_DATA_SOURCE = "org/sqlite/SQLiteDataSource";
    /** sqlite-jdbc's static entry points that demand its own connection class as their first argument. */
    static final java.util.Set<String> SQLITE_CONNECTION_TAKERS = java.util.Set.of(
            "org/sqlite/Function", "org/sqlite/Collation", "org/sqlite/BusyHandler", "org/sqlite/ProgressHandler");

    /** What the agent instruments, for the start-up line. */
    public static final List<String> TARGETS = List.of(
            "org.postgresql.Driver.connect", "org.sqlite.JDBC.connect", "org.sqlite.SQLiteDataSource.getConnection",
            "org.sqlite.{Function,Collation,BusyHandler,ProgressHandler} (take the real connection)");

    private final boolean verbose;

    private Instrumenter(boolean verbose) {
        this.verbose = verbose;
    }

    public static void install(Instrumentation inst, boolean lateAttach, boolean verbose) throws Exception {
        inst.addTransformer(new Instrumenter(verbose), true);
        if (lateAttach) {
            // Drivers the application already loaded are rewritten in place.
            List<Class<?>> loaded = new ArrayList<>();
            for (Class<?> c : inst.getAllLoadedClasses()) {
                if (isTarget(c.getName().replace('.', '/')) && inst.isModifiableClass(c)) {
                    loaded.add(c);
                }
            }
            if (!loaded.isEmpty()) {
                inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            }
        }
    }

    private static boolean isTarget(String internalName) {
        return PG_DRIVER.equals(internalName) || SQLITE_DRIVER.equals(internalName) || SQLITE_DATA_SOURCE.equals(internalName)
                || SQLITE_CONNECTION_TAKERS.contains(internalName);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
        if (className == null || !isTarget(className)) {
            return null;
        }
        try {
            byte[] woven = Weaver.weave(className, bytes);
            if (verbose && woven != null) {
                System.err.println("resilient-agent: instrumented " + className.replace('/', '.') + " in " + loader);
            }
            return woven;
        } catch (Throwable e) {
            // Never break class loading; but say it, or the app would silently stay unprotected.
            System.err.println("resilient-agent: could not instrument " + className.replace('/', '.')
                    + " (its connections stay unprotected): " + e);
            return null;
        }
    }
}
