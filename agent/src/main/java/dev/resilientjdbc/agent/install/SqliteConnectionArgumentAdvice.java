package dev.resilientjdbc.agent.install;

import net.bytebuddy.asm.Advice;

import java.sql.Connection;

/**
 * Inlined into sqlite-jdbc's static entry points that demand its own connection class
 * ({@code Function.create}, {@code Collation.create}, {@code BusyHandler.setHandler},
 * {@code ProgressHandler.setHandler} and their removers): a resilient connection is replaced by the
 * real {@code SQLiteConnection} behind it, through the standard {@code unwrap}, so an unchanged
 * application that registers functions keeps working under the agent. Woven into sqlite-jdbc's own
 * class, so the class it names is the one the application's sqlite-jdbc loaded.
 */
public final class SqliteConnectionArgumentAdvice {
    private SqliteConnectionArgumentAdvice() {}

    @Advice.OnMethodEnter
    public static void enter(@Advice.Argument(value = 0, readOnly = false) Connection connection) throws java.sql.SQLException {
        if (connection != null && !(connection instanceof org.sqlite.SQLiteConnection)
                && connection.isWrapperFor(org.sqlite.SQLiteConnection.class)) {
            connection = connection.unwrap(org.sqlite.SQLiteConnection.class);
        }
    }
}
