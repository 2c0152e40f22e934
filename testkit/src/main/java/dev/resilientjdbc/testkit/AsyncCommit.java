package dev.resilientjdbc.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

/**
 * {@code commit()} on another thread, for tests that hold up, drop or stall a COMMIT and act while it waits (cut the
 * connection, end a backend): the future completes with null when commit() returned, or with the SQLException it
 * threw, which the test then examines as the application would.
 */
public final class AsyncCommit {
    private AsyncCommit() {}

    public static CompletableFuture<SQLException> start(Connection c) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                c.commit();
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }
}
