package dev.resilientjdbc.replay;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/** Runs a JDBC method on a real object and throws what it threw, not a reflection wrapper. */
public final class Reflective {
    private Reflective() {}

    public static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
