package dev.resilientjdbc.agent.install;

import dev.resilientjdbc.agent.boot.ConnectHook;
import net.bytebuddy.asm.Advice;

import java.sql.Connection;
import java.util.function.Function;

/** Inlined into {@code DataSource.getConnection(String user, String password)} (the one returning Connection). */
public final class DataSourceUserAdvice {
    private DataSourceUserAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    @SuppressWarnings("unchecked")
    public static Object enter(@Advice.This Object dataSource, @Advice.Argument(0) String user,
                               @Advice.Argument(1) String password) throws Exception {
        Function<Object[], Object> hook = (Function<Object[], Object>) Class.forName(ConnectHook.CLASS_NAME, true,
                ClassLoader.getSystemClassLoader()).getField(ConnectHook.FIELD_NAME).get(null);
        return hook.apply(new Object[]{ConnectHook.DATA_SOURCE_USER, dataSource, user, password});
    }

    @Advice.OnMethodExit
    public static void exit(@Advice.Enter Object resilient, @Advice.Return(readOnly = false) Connection returned) {
        if (resilient != null) {
            returned = (Connection) resilient;
        }
    }
}
