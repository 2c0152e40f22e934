package dev.resilientjdbc.agent.install;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * The ByteBuddy transformation: advice on the methods where a supported real driver hands out a
 * connection. Types are matched by name in any class loader, so a driver loaded by a web
 * application's own loader is covered as well as one on the class path.
 */
public final class Instrumenter {
    static final String PG_DRIVER = "org.postgresql.Driver";
    static final String SQLITE_DRIVER = "org.sqlite.JDBC";
    static final String SQLITE_DATA_SOURCE = "org.sqlite.SQLiteDataSource";

    /** What the agent instruments, for the start-up line. */
    public static final List<String> TARGETS = List.of(
            PG_DRIVER + ".connect", SQLITE_DRIVER + ".connect", SQLITE_DATA_SOURCE + ".getConnection");

    private Instrumenter() {}

    public static void install(Instrumentation inst, boolean lateAttach, boolean verbose) throws Exception {
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(new Problems(verbose));
        if (lateAttach) {
            // Drivers the application already loaded are rewritten in place.
            builder = builder.with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
        builder
                .type(named(PG_DRIVER).or(named(SQLITE_DRIVER)))
                .transform((b, type, loader, module, domain) -> driverConnect(b))
                .type(named(SQLITE_DATA_SOURCE))
                .transform((b, type, loader, module, domain) -> dataSource(b))
                .installOn(inst);
    }

    private static DynamicType.Builder<?> driverConnect(DynamicType.Builder<?> b) {
        return b.visit(Advice.to(DriverConnectAdvice.class)
                .on(named("connect").and(takesArguments(String.class, java.util.Properties.class))
                        .and(returns(named("java.sql.Connection")))));
    }

    // SQLiteDataSource opens through the static JDBC.createConnection, never Driver.connect. Its
    // getConnection(String, String) returns SQLiteConnection (a class a proxy cannot stand in for),
    // so the advice goes on the methods typed java.sql.Connection: getConnection() and the bridge.
    private static DynamicType.Builder<?> dataSource(DynamicType.Builder<?> b) {
        return b.visit(Advice.to(DataSourceAdvice.class)
                        .on(named("getConnection").and(takesNoArguments()).and(returns(named("java.sql.Connection")))))
                .visit(Advice.to(DataSourceUserAdvice.class)
                        .on(named("getConnection").and(takesArguments(String.class, String.class))
                                .and(returns(named("java.sql.Connection")))));
    }

    /** Reports failed transformations always (the app would silently stay unprotected), the rest only when verbose. */
    private static final class Problems extends AgentBuilder.Listener.Adapter {
        private final boolean verbose;

        Problems(boolean verbose) {
            this.verbose = verbose;
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            if (verbose) {
                System.err.println("resilient-agent: instrumented " + type.getName() + " in " + loader);
            }
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            System.err.println("resilient-agent: could not instrument " + typeName + " (its connections stay unprotected): " + error);
        }
    }
}
