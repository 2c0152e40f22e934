package dev.resilientjdbc.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Threads inserting into one SQLite file with sqlite-jdbc's busy wait off: real SQLITE_BUSY. Each
 * insert carries a unique key starting with the side's name, so both sides can share a file
 * ({@code --url jdbc:sqlite:}) and a row written twice or lost would show in the check.
 */
final class SqliteBusyStorm {
    static final String WORKLOAD = "SQLite busy writers";
    private final int threads;
    private final Duration duration;

    SqliteBusyStorm(int threads, Duration duration) {
        this.threads = threads;
        this.duration = duration;
    }

    /** {@code plainUrl} is a {@code jdbc:sqlite:} URL; the resilient side runs it with {@code jdbc:resilient:} and {@code extra} parameters. */
    Report run(String side, String plainUrl, boolean resilient, String extra) throws Exception {
        String url = resilient ? DemoMain.resilient(plainUrl) + extra : plainUrl;
        String prefix = side + "-";
        try (Connection c = DriverManager.getConnection(plainUrl); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS demo_rows(k TEXT PRIMARY KEY)");
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM demo_rows WHERE k LIKE ?")) {
                ps.setString(1, prefix + "%");
                ps.executeUpdate();
            }
        }
        Recovery before = resilient ? Recovery.snapshot(url) : null;
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        Map<String, Long> byCode = new ConcurrentHashMap<>();
        AtomicInteger ids = new AtomicInteger();
        OpTimings timings = new OpTimings();
        long deadline = System.nanoTime() + duration.toNanos();
        long t0 = System.nanoTime();
        List<long[]> samples;
        try (ProgressSampler sampler = new ProgressSampler("sqlite-storm-sampler-" + side, t0, ok::sum, failed::sum)) {
            Workers.run(threads, "sqlite-storm-" + side, () -> {
                int id = ids.incrementAndGet();
                OpTimings.Worker me = timings.worker();
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        long start = System.nanoTime();
                        try {
                            s.executeUpdate("INSERT INTO demo_rows VALUES ('" + prefix + id + "-" + i + "')");
                            me.ok(start, System.nanoTime());
                            ok.increment();
                        } catch (SQLException e) {
                            failed.increment();
                            byCode.merge(SqliteLedger.tag(e.getSQLState(), e.getMessage(), e.getErrorCode()), 1L, Long::sum);
                        }
                    }
                }
                return null;
            });
            samples = sampler.samples();
        }
        long end = System.nanoTime();
        long rows;
        try (Connection c = DriverManager.getConnection(plainUrl);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM demo_rows WHERE k LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                rows = rs.getLong(1);
            }
        }
        return new Report(WORKLOAD, side, resilient ? "jdbc:resilient: URL" : "plain driver", ok.sum(), failed.sum(), byCode,
                Math.max(0, ok.sum() - rows), Math.max(0, rows - ok.sum()), rows == ok.sum(),
                rows + " rows = " + ok.sum() + " inserts", (end - t0) / 1_000_000)
                .timing(timings.latency(), timings.longestPauseMs(end))
                .recovery(resilient ? Recovery.snapshot(url).minus(before) : null)
                .timeline(samples);
    }
}
