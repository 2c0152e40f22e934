package dev.resilientjdbc.it.legacy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A legacy app that opens a connection per request with {@code DriverManager.getConnection(url)}. Args: url runId minOps. */
public final class DriverManagerApp {
    private DriverManagerApp() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        LegacyWorkload.run(new LegacyWorkload.ConnectionSource() {
            @Override
            public Connection get() throws SQLException {
                return DriverManager.getConnection(url);
            }

            @Override
            public void done(Connection c) throws SQLException {
                c.close();
            }
        }, args[1], Integer.parseInt(args[2]));
    }
}
