package dev.resilientjdbc.proxy;


import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * Common part of every proxy's handler: identity, unwrap, and the reflective call to the real
 * object with {@link InvocationTargetException} unwrapped, so the application sees the very
 * exception object the real driver threw.
 */
abstract class JdbcHandler implements InvocationHandler {
    /** The proxy this handler serves; set once, right after the proxy is created. */
    Object proxy;

    /** The real driver's object the proxy stands for now (after a reconnect, a new one). */
    abstract Object delegate() throws SQLException;

    /** The real object for toString: never reconnects. */
    abstract Object describe();

    @Override
    public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        MethodInfo info = MethodInfo.of(method);
        switch (info.special) {
            case EQUALS:
                // Identity, as the real drivers do; stable across any swap of the real object.
                return proxy == args[0];
            case HASH_CODE:
                return System.identityHashCode(proxy);
            case TO_STRING:
                return String.valueOf(describe());
            case UNWRAP:
                return unwrap((Class<?>) args[0]);
            case IS_WRAPPER_FOR:
                return isWrapperFor((Class<?>) args[0]);
            default:
                return handle(info, method, args);
        }
    }

    /**
     * The error unwrap and isWrapperFor answer with once the application closed what the proxy
     * stands for, or null while it is open.
     */
    SQLException closedError() {
        return null;
    }

    /** Everything but the identity and wrapper methods. */
    abstract Object handle(MethodInfo info, Method method, Object[] args) throws Throwable;

    static Object callOn(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } catch (IllegalAccessException e) {
            throw new UndeclaredThrowableException(e, "cannot call " + method + " on " + target.getClass().getName());
        }
    }

    private Object unwrap(Class<?> iface) throws SQLException {
        if (iface == ResilientProxy.class) {
            return proxy;
        }
        SQLException closed = closedError();
        if (closed != null) {
            throw closed;
        }
        if (iface != null && iface.isInstance(proxy)) {
            // java.sql.Wrapper: the receiver itself when it implements the interface (Connection, PGConnection,
            // ...), so that asking for a standard or vendor interface never steps out of resilience.
            return proxy;
        }
        Object real = delegate();
        if (iface != null && iface.isInstance(real)) {
            return real; // a class, or an interface only the real object has: the real object, as the vendor casts need
        }
        return ((Wrapper) real).unwrap(iface);
    }

    private boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (iface == ResilientProxy.class) {
            return true;
        }
        SQLException closed = closedError();
        if (closed != null) {
            throw closed;
        }
        if (iface != null && iface.isInstance(proxy)) {
            return true;
        }
        Object real = delegate();
        if (iface != null && iface.isInstance(real)) {
            return true;
        }
        return ((Wrapper) real).isWrapperFor(iface);
    }
}
