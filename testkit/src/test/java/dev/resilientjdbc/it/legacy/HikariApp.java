package dev.resilientjdbc.it.legacy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.SQLException;

/** A legacy app with a HikariCP pool over a JDBC URL, a connection borrowed per request. Args: url runId minOps. */
public final class HikariApp {
    private HikariApp() {}

    public static void main(String[] args) throws Exception {
        // Which HikariCP this application runs with: its own, whatever the agent carries inside.
        System.out.println("HIKARI " + HikariConfig.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setMaximumPoolSize(3);
        config.setConnectionTimeout(5_000);
        config.setPoolName("legacy-pool");
        HikariDataSource pool = new HikariDataSource(config);
        LegacyWorkload.run(new LegacyWorkload.ConnectionSource() {
            @Override
            public Connection get() throws SQLException {
                return pool.getConnection();
            }

            @Override
            public void done(Connection c) throws SQLException {
                c.close();
            }

            @Override
            public void close() {
                pool.close();
            }
        }, args[1], Integer.parseInt(args[2]));
    }
}
