package dev.resilientjdbc.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Threads that each update two of a few rows in random order in one autocommit statement, so that
 * PostgreSQL finds real deadlocks and kills one side (40P01). Every successful statement adds 1 to
 * two rows, so the total must equal twice the successes: a retried statement applied twice would show.
 */
final class DeadlockStorm {
    static final String WORKLOAD = "PostgreSQL deadlocks";
    private static final int ROWS = 4;
    private final int threads;
    private final Duration duration;

    DeadlockStorm(int threads, Duration duration) {
        this.threads = threads;
        this.duration = duration;
    }

    /** {@code url} is plain; the resilient side runs it with {@code jdbc:resilient:}. */
    Report run(String side, String plainUrl, boolean resilient) throws Exception {
        String url = resilient ? DemoMain.resilient(plainUrl) : plainUrl;
        try (Connection c = DriverManager.getConnection(plainUrl); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS demo_rows");
            s.execute("CREATE TABLE demo_rows(id int PRIMARY KEY, v bigint NOT NULL)");
            s.execute("INSERT INTO demo_rows SELECT g, 0 FROM generate_series(1, " + ROWS + ") g");
        }
        Recovery before = resilient ? Recovery.snapshot(url) : null;
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        Map<String, Long> byState = new ConcurrentHashMap<>();
        OpTimings timings = new OpTimings();
        long deadline = System.nanoTime() + duration.toNanos();
        long t0 = System.nanoTime();
        List<long[]> samples;
        try (ProgressSampler sampler = new ProgressSampler("deadlock-storm-sampler-" + side, t0, ok::sum, failed::sum)) {
            Workers.run(threads, "deadlock-storm-" + side, () -> {
                OpTimings.Worker me = timings.worker();
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                    while (System.nanoTime() < deadline) {
                        int a = ThreadLocalRandom.current().nextInt(1, ROWS + 1);
                        int b = a % ROWS + 1;
                        if (ThreadLocalRandom.current().nextBoolean()) {
                            int t = a; a = b; b = t;
                        }
                        long start = System.nanoTime();
                        try {
                            s.execute("DO $$ BEGIN UPDATE demo_rows SET v = v + 1 WHERE id = " + a
                                    + "; PERFORM pg_sleep(0.005); UPDATE demo_rows SET v = v + 1 WHERE id = " + b + "; END $$");
                            me.ok(start, System.nanoTime());
                            ok.increment();
                        } catch (SQLException e) {
                            failed.increment();
                            byState.merge(String.valueOf(e.getSQLState()), 1L, Long::sum);
                        }
                    }
                }
                return null;
            });
            samples = sampler.samples();
        }
        long end = System.nanoTime();
        long total;
        try (Connection c = DriverManager.getConnection(plainUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(v) FROM demo_rows")) {
            rs.next();
            total = rs.getLong(1);
        }
        long expected = 2 * ok.sum();
        // Each statement adds 2: a shortfall is acknowledged work lost, a surplus work applied twice (or despite an error).
        return new Report(WORKLOAD, side, resilient ? "jdbc:resilient: URL" : "plain driver", ok.sum(), failed.sum(), byState,
                Math.max(0, (expected - total) / 2), Math.max(0, (total - expected) / 2), total == expected,
                "sum " + total + " = 2 x " + ok.sum(), (end - t0) / 1_000_000)
                .timing(timings.latency(), timings.longestPauseMs(end))
                .recovery(resilient ? Recovery.snapshot(url).minus(before) : null)
                .timeline(samples);
    }
}
