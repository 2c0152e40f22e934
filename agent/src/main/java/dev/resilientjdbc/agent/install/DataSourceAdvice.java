package dev.resilientjdbc.agent.install;

import dev.resilientjdbc.agent.boot.ConnectHook;
import net.bytebuddy.asm.Advice;

import java.sql.Connection;
import java.util.function.Function;

/** Inlined into {@code DataSource.getConnection()} of a data source that does not go through Driver.connect. */
public final class DataSourceAdvice {
    private DataSourceAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    @SuppressWarnings("unchecked")
    public static Object enter(@Advice.This Object dataSource) throws Exception {
        Function<Object[], Object> hook = (Function<Object[], Object>) Class.forName(ConnectHook.CLASS_NAME, true,
                ClassLoader.getSystemClassLoader()).getField(ConnectHook.FIELD_NAME).get(null);
        return hook.apply(new Object[]{ConnectHook.DATA_SOURCE, dataSource, null, null});
    }

    @Advice.OnMethodExit
    public static void exit(@Advice.Enter Object resilient, @Advice.Return(readOnly = false) Connection returned) {
        if (resilient != null) {
            returned = (Connection) resilient;
        }
    }
}
