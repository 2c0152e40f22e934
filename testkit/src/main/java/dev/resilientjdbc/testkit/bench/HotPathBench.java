package dev.resilientjdbc.testkit.bench;

import dev.resilientjdbc.testkit.pg.PgServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

/**
 * A small harness (not JMH) for the hot-path cost of resilient-jdbc against the raw driver, measured
 * in the same run on the same machine, sides interleaved round by round so drift hits all alike:
 * a PostgreSQL prepared point select, and an in-memory SQLite scan of 1,000 rows × 10 columns
 * through the getters; resilient-jdbc with metrics on and off. Prints medians and ratios of wall time
 * and of the client thread's CPU time (what the driver itself costs, whatever the server and the
 * machine's wake-up latency add to a round trip).
 * Run: {@code java -cp testkit/target/resilient-demo.jar dev.resilientjdbc.testkit.bench.HotPathBench}.
 */
public final class HotPathBench {
    private static final int ROUNDS = 15;

    private HotPathBench() {}

    interface Work {
        void run(Connection c) throws SQLException;
    }

    public static void main(String[] args) throws Exception {
        try (PgServer pg = PgServer.builder().build().start()) {
            String raw = pg.jdbcUrl() + "?user=postgres";
            try (Connection c = DriverManager.getConnection(raw); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS kv(k int PRIMARY KEY, v text)");
                s.execute("INSERT INTO kv SELECT g, 'value-' || g FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING");
            }
            Work pointSelect = c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT v FROM kv WHERE k = ?")) {
                    for (int i = 0; i < 2000; i++) {
                        ps.setInt(1, 1 + i % 1000);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            rs.getString(1);
                        }
                    }
                }
            };
            compare("PostgreSQL prepared point select (2,000 per sample)", raw, pointSelect);
        }
        String sqlite = "jdbc:sqlite:file:bench?mode=memory&cache=shared";
        try (Connection keep = DriverManager.getConnection(sqlite); Statement s = keep.createStatement()) {
            s.execute("CREATE TABLE t(a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER, f TEXT, g TEXT, h TEXT, i REAL, j REAL)");
            s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) "
                    + "INSERT INTO t SELECT x, x, x, x, x, 'f' || x, 'g' || x, 'h' || x, x * 0.5, x * 0.25 FROM n");
            Work scan = c -> {
                for (int rep = 0; rep < 20; rep++) {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM t")) {
                        while (rs.next()) {
                            for (int col = 1; col <= 5; col++) {
                                rs.getInt(col);
                            }
                            for (int col = 6; col <= 8; col++) {
                                rs.getString(col);
                            }
                            rs.getDouble(9);
                            rs.getDouble(10);
                        }
                    }
                }
            };
            compare("SQLite in-memory scan, 1,000 rows x 10 columns (x20 per sample)", sqlite, scan);
        }
    }

    private static void compare(String title, String rawUrl, Work work) throws Exception {
        String resilient = rawUrl.replace("jdbc:", "jdbc:resilient:") + (rawUrl.contains("?") ? "&" : "?");
        String[] urls = {rawUrl, resilient + "resilient.metrics.enabled=false", resilient + "resilient.metrics.enabled=true"};
        String[] names = {"raw driver", "resilient, metrics off", "resilient, metrics on"};
        long[][] samples = new long[urls.length][ROUNDS];
        long[][] cpu = new long[urls.length][ROUNDS];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Connection[] conns = new Connection[urls.length];
        for (int i = 0; i < urls.length; i++) {
            conns[i] = DriverManager.getConnection(urls[i]);
            for (int w = 0; w < 5; w++) {
                work.run(conns[i]); // warm up: JIT, prepared statements, caches
            }
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < urls.length; i++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                work.run(conns[i]);
                samples[i][round] = System.nanoTime() - t0;
                cpu[i][round] = mx.getCurrentThreadCpuTime() - c0;
            }
        }
        for (Connection c : conns) {
            c.close();
        }
        System.out.println(title);
        double base = median(samples[0]);
        double cpuBase = median(cpu[0]);
        for (int i = 0; i < urls.length; i++) {
            double m = median(samples[i]);
            double c = median(cpu[i]);
            System.out.printf("  %-24s wall median %8.2f ms  ratio %.3f   client CPU median %8.2f ms  ratio %.3f%n",
                    names[i], m / 1e6, m / base, c / 1e6, c / cpuBase);
        }
    }

    private static double median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
