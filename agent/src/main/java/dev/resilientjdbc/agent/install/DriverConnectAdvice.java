package dev.resilientjdbc.agent.install;

import dev.resilientjdbc.agent.boot.ConnectHook;
import net.bytebuddy.asm.Advice;

import java.sql.Connection;
import java.util.Properties;
import java.util.function.Function;

/** Inlined into {@code Driver.connect(String, Properties)} of a supported real driver. */
public final class DriverConnectAdvice {
    private DriverConnectAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    @SuppressWarnings("unchecked")
    public static Object enter(@Advice.This Object driver, @Advice.Argument(0) String url,
                               @Advice.Argument(1) Properties info) throws Exception {
        Function<Object[], Object> hook = (Function<Object[], Object>) Class.forName(ConnectHook.CLASS_NAME, true,
                ClassLoader.getSystemClassLoader()).getField(ConnectHook.FIELD_NAME).get(null);
        return hook.apply(new Object[]{ConnectHook.DRIVER_CONNECT, driver, url, info});
    }

    @Advice.OnMethodExit
    public static void exit(@Advice.Enter Object resilient, @Advice.Return(readOnly = false) Connection returned) {
        if (resilient != null) {
            returned = (Connection) resilient;
        }
    }
}
