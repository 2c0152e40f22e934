package dev.resilientjdbc.connection;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.SQLException;

/** A JDBC call kept to be made again on a new physical object: the method and its arguments. */
final class Recorded {
    final Method method;
    final Object[] args;
    /** Holds a stream or LOB: cannot be applied to another physical object. */
    final boolean unrepeatable;

    Recorded(Method method, Object[] args) {
        this(method, args == null ? null : args.clone(), false);
    }

    /** Keeps {@code args} as given: the proxies hand every call a fresh array, so no copy is needed. */
    Recorded(Method method, Object[] args, boolean unrepeatable) {
        this.method = method;
        this.args = args;
        this.unrepeatable = unrepeatable;
    }

    void applyTo(Object target) throws SQLException {
        apply(method, args, target);
    }

    /** Makes the call {@code method(args)} on {@code target}; a failure comes as the SQLException the driver threw. */
    static void apply(Method method, Object[] args, Object target) throws SQLException {
        try {
            method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException) {
                throw (SQLException) cause;
            }
            throw new SQLException("could not restore " + method.getName() + " on a new connection: " + cause, "08003", cause);
        } catch (IllegalAccessException e) {
            throw new SQLException("could not restore " + method.getName() + ": " + e, "08003", e);
        }
    }

    @Override
    public String toString() {
        return method.getName();
    }
}
