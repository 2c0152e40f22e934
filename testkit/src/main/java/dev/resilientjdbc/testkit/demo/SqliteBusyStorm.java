package dev.resilientjdbc.testkit.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Threads inserting into one SQLite file with sqlite-jdbc's busy wait off: real SQLITE_BUSY. Each
 * insert carries a unique key, so a row written twice or lost would show in the check.
 */
final class SqliteBusyStorm {
    private final int threads;
    private final Duration duration;

    SqliteBusyStorm(int threads, Duration duration) {
        this.threads = threads;
        this.duration = duration;
    }

    Report run(String workload, String side, String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS demo_rows(k TEXT PRIMARY KEY)");
        }
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        Map<String, Long> byCode = new ConcurrentHashMap<>();
        AtomicInteger ids = new AtomicInteger();
        long deadline = System.nanoTime() + duration.toNanos();
        long t0 = System.nanoTime();
        Workers.run(threads, "sqlite-storm-" + side, () -> {
            int me = ids.incrementAndGet();
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                for (int i = 0; System.nanoTime() < deadline; i++) {
                    try {
                        s.executeUpdate("INSERT INTO demo_rows VALUES ('" + me + "-" + i + "')");
                        ok.increment();
                    } catch (SQLException e) {
                        failed.increment();
                        String m = String.valueOf(e.getMessage());
                        byCode.merge(m.startsWith("[") && m.indexOf(']') > 0 ? m.substring(1, m.indexOf(']')) : "code " + e.getErrorCode(),
                                1L, Long::sum);
                    }
                }
            }
            return null;
        });
        long elapsed = (System.nanoTime() - t0) / 1_000_000;
        long rows;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM demo_rows")) {
            rs.next();
            rows = rs.getLong(1);
        }
        return new Report(workload, side, ok.sum(), failed.sum(), byCode, rows == ok.sum(),
                rows + " rows = " + ok.sum() + " successes", elapsed);
    }
}
