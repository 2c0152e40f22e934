package dev.resilientjdbc.agent.install;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.util.Properties;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * Inlines the advice into one driver class's bytes with ByteBuddy. Adds no field or method, so it
 * also serves retransformation of classes already loaded.
 */
final class Weaver {
    static {
        // ByteBuddy's Unsafe-based class injection is never needed here; keep it from probing
        // sun.misc.Unsafe, which JDK 24+ reports with warnings on stderr. (The shade plugin
        // relocates this property name along with ByteBuddy.)
        System.setProperty("net.bytebuddy.safe", "true");
    }

    private static final ByteBuddy BYTE_BUDDY = new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .with(Implementation.Context.Disabled.Factory.INSTANCE);

    private Weaver() {}

    static byte[] weave(String internalName, byte[] bytes, ClassLoader loader) {
        String name = internalName.replace('/', '.');
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(name, bytes),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader),
                ClassFileLocator.ForClassLoader.ofSystemLoader());
        TypeDescription type = TypePool.Default.of(locator).describe(name).resolve();
        DynamicType.Builder<?> builder = BYTE_BUDDY.redefine(type, locator);
        if (internalName.equals(Instrumenter.SQLITE_DATA_SOURCE)) {
            builder = dataSource(builder);
        } else if (Instrumenter.SQLITE_CONNECTION_TAKERS.contains(internalName)) {
            builder = builder.visit(Advice.to(SqliteConnectionArgumentAdvice.class)
                    .on(isStatic().and(takesArgument(0, named("java.sql.Connection")))));
        } else {
            builder = builder.visit(Advice.to(DriverConnectAdvice.class)
                    .on(named("connect").and(takesArguments(String.class, Properties.class))
                            .and(returns(named("java.sql.Connection")))));
        }
        return builder.make().getBytes();
    }

    // SQLiteDataSource opens through the static JDBC.createConnection, never Driver.connect. Its
    // getConnection(String, String) returns SQLiteConnection (a class a proxy cannot stand in for);
    // getConnection() is typed java.sql.Connection.
    private static DynamicType.Builder<?> dataSource(DynamicType.Builder<?> b) {
        return b.visit(Advice.to(DataSourceAdvice.class)
                .on(named("getConnection").and(takesNoArguments()).and(returns(named("java.sql.Connection")))));
    }
}
