package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.Retrier;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A statement the application holds, which outlives physical connections: after a reconnect it is
 * made again from its {@link StatementRecipe} the first time it is used. One generation check per
 * call on the healthy path.
 */
public final class LogicalStatement {
    private final LogicalConnection connection;
    private final StatementRecipe recipe;
    private volatile Statement physical;
    private volatile int generation;
    private volatile boolean closed;

    public LogicalStatement(LogicalConnection connection, StatementRecipe recipe, Statement first) {
        this.connection = connection;
        this.recipe = recipe;
        this.physical = first;
        this.generation = connection.generation();
    }

    public StatementRecipe recipe() {
        return recipe;
    }

    /** The physical statement on the current physical connection, re-created after a reconnect. */
    public Statement current() throws SQLException {
        Statement s = physical;
        if (generation == connection.generation() || closed || connection.isClosed() || recipe.isForeign()) {
            return s;
        }
        return recreate();
    }

    /** The physical statement without re-creating it (for toString, and calls on a closed statement). */
    public Statement lastPhysical() {
        return physical;
    }

    private Statement recreate() throws SQLException {
        Connection p = connection.physical();
        int g = connection.generation();
        Statement fresh = recipe.recreate(p);
        physical = fresh;
        generation = g;
        return fresh;
    }

    /** Runs an execute call under the safety rules: retried on a new connection where that cannot change what the application sees. */
    public Object execute(Method method, Object[] args, String sqlArgument) throws Throwable {
        boolean hadWork = connection.beforeExecute();
        Connection p = connection.physical();
        String sql = sqlArgument != null ? sqlArgument : recipe.sql();
        CallGate gate = new CallGate(connection, this, sql, p, !hadWork);
        Retrier retrier = connection.retrier();
        try {
            return retrier.statement(() -> {
                Statement target = current();
                gate.attemptOn(connection.physical());
                return invoke(target, method, args);
            }, gate);
        } catch (SQLException e) {
            if (e == gate.unknownOutcome) {
                retrier.guard().stats().onInDoubt();
                SQLException unknown = new SQLException("resilient-jdbc: the connection to " + retrier.guard().name()
                        + " was lost after this write was sent; whether it was applied is unknown (transaction resolution unknown)",
                        "08007", e);
                throw unknown;
            }
            throw e;
        }
    }

    /** Any other call: a connection failure marks the connection lost so the next call reconnects. */
    public Object call(Method method, Object[] args) throws Throwable {
        if (recipe.observe(method, args) && method.getName().startsWith("set")) {
            // A setter is part of the recipe: if the connection is gone, the new statement gets it anyway.
            Connection p = connection.lastPhysical();
            try {
                return invoke(current(), method, args);
            } catch (SQLException e) {
                if (connection.classify(e) == FailureClass.CONNECTION && !connection.isClosed() && !closed) {
                    connection.lost(p);
                    return null;
                }
                throw e;
            }
        }
        Connection p = connection.lastPhysical();
        try {
            return invoke(current(), method, args);
        } catch (SQLException e) {
            if (connection.classify(e) == FailureClass.CONNECTION && !connection.isClosed()) {
                connection.lost(p);
            }
            throw e;
        }
    }

    public void close() throws SQLException {
        closed = true;
        Statement s = physical;
        if (s != null && generation == connection.generation()) {
            s.close();
        }
    }

    public boolean isClosed() throws SQLException {
        if (closed) {
            return true;
        }
        Statement s = physical;
        if (connection.isClosed()) {
            return s.isClosed(); // the real driver decides what closing its connection did to it
        }
        // A statement whose connection was replaced is still open for the application.
        return generation == connection.generation() && s.isClosed();
    }

    static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
