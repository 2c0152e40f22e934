package dev.resilientjdbc.it.reconnect;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** What the silent- and frozen-host tests share: the threads their blocking calls run on, and a one-value query. */
final class FaultClients {
    private FaultClients() {}

    /** Named daemon threads, so a raw call left blocked never holds up the JVM; shut down by the test. */
    static ExecutorService threads(String name) {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The first column of the first row of {@code sql}. */
    static int one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
