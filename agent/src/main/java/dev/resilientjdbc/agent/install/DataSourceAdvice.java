package dev.resilientjdbc.agent.install;

import dev.resilientjdbc.agent.boot.ConnectHook;
import net.bytebuddy.asm.Advice;

import java.sql.Connection;

/** Inlined into {@code DataSource.getConnection()} of a data source that does not go through Driver.connect. */
public final class DataSourceAdvice {
    private DataSourceAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    public static Object enter(@Advice.This Object dataSource) throws Exception {
        return ConnectHook.dataSource(dataSource);
    }

    @Advice.OnMethodExit
    public static void exit(@Advice.Enter Object resilient, @Advice.Return(readOnly = false) Connection returned) {
        if (resilient != null) {
            returned = (Connection) resilient;
        }
    }
}
