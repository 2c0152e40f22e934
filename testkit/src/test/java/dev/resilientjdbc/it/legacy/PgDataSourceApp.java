package dev.resilientjdbc.it.legacy;

import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;

/**
 * A legacy app configured with a {@code PGSimpleDataSource} bean that takes one connection at
 * start-up and uses it for its whole life. Args: url runId minOps.
 */
public final class PgDataSourceApp {
    private PgDataSourceApp() {}

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(args[0]);
        Connection held = ds.getConnection();
        LegacyWorkload.run(new LegacyWorkload.ConnectionSource() {
            @Override
            public Connection get() {
                return held;
            }

            @Override
            public void done(Connection c) {
                // kept for the next request
            }

            @Override
            public void close() throws Exception {
                held.close();
            }
        }, args[1], Integer.parseInt(args[2]));
    }
}
