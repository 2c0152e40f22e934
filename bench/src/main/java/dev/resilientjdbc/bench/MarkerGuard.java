package dev.resilientjdbc.bench;

import dev.resilientjdbc.control.pg.PgServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * What the guard on the commit marker's write costs the server: raw pgjdbc runs a one-UPDATE transaction committed
 * with the marker's {@code UPDATE ...;COMMIT} as the driver sends it, once plain ({@code SET sequence = ?}) and once
 * guarded ({@code SET sequence = CASE WHEN sequence < ? THEN ? ELSE (error)::bigint END}, PostgresInDoubt's fence
 * guard), in alternating blocks of 1,000 transactions on one connection; the first ten pairs warm up.
 * {@code java -cp bench/target/benchmarks.jar dev.resilientjdbc.bench.MarkerGuard [pairs]}
 */
public final class MarkerGuard {
    private static final String ROW = " WHERE run = '00000000-0000-0000-0000-000000000001' AND slot = ?;COMMIT";
    private static final String PLAIN = "UPDATE m SET sequence = ?, at = clock_timestamp()" + ROW;
    private static final String GUARDED = "UPDATE m SET sequence = CASE WHEN sequence < ? THEN ? ELSE ('resilient-jdbc:"
            + " this COMMIT was settled as not committed and fenced off; marker sequence ' || sequence)::bigint END,"
            + " at = clock_timestamp()" + ROW;

    private MarkerGuard() {}

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        try (PgServer pg = PgServer.builder().build().start();
             Connection c = DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE m (run uuid NOT NULL, slot integer NOT NULL, sequence bigint NOT NULL,"
                        + " at timestamptz NOT NULL, applied bigint, PRIMARY KEY (run, slot))");
                s.execute("INSERT INTO m VALUES ('00000000-0000-0000-0000-000000000001', 1, 0, now())");
                s.execute("CREATE TABLE t (id int PRIMARY KEY, n bigint)");
                s.execute("INSERT INTO t VALUES (1, 0)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement app = c.prepareStatement("UPDATE t SET n = n + 1 WHERE id = 1");
                 PreparedStatement plain = c.prepareStatement(PLAIN);
                 PreparedStatement guarded = c.prepareStatement(GUARDED)) {
                long sequence = 0;
                long[] nanos = new long[2];
                long[] count = new long[2];
                for (int pair = 0; pair < pairs; pair++) {
                    for (int k = 0; k < 2; k++) {
                        boolean guard = (pair + k) % 2 == 0; // which goes first alternates
                        long t0 = System.nanoTime();
                        for (int i = 0; i < 1000; i++) {
                            app.executeUpdate();
                            sequence++;
                            if (guard) {
                                guarded.setLong(1, sequence);
                                guarded.setLong(2, sequence);
                                guarded.setInt(3, 1);
                                guarded.execute();
                            } else {
                                plain.setLong(1, sequence);
                                plain.setInt(2, 1);
                                plain.execute();
                            }
                        }
                        if (pair >= 10) {
                            nanos[guard ? 1 : 0] += System.nanoTime() - t0;
                            count[guard ? 1 : 0] += 1000;
                        }
                    }
                }
                double p = nanos[0] / 1e3 / count[0];
                double g = nanos[1] / 1e3 / count[1];
                System.out.printf("marker write plain %.1f us/tx, guarded %.1f us/tx: guarded/plain %.3f%n", p, g, g / p);
            }
        }
    }
}
