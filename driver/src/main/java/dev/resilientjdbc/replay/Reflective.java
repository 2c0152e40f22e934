package dev.resilientjdbc.replay;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/** Runs a JDBC method on a real object and throws what it threw, not a reflection wrapper. */
public final class Reflective {
    private Reflective() {}

    /**
     * {@code m}, marked accessible where that is allowed: Method.invoke then skips its access check, which walks the
     * stack for the caller on every call (Reflection.getCallerClass, 1-2 % of a busy pool's CPU in async-profiler).
     * For the Methods invoked on every call: the proxies' own (one object per proxy class and method) and ours.
     */
    public static Method accessible(Method m) {
        try {
            if (m != null) {
                m.trySetAccessible();
            }
        } catch (SecurityException denied) {
            // a security manager said no: each call stays checked
        }
        return m;
    }

    public static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
