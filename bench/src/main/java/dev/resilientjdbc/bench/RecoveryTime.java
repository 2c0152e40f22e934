package dev.resilientjdbc.bench;

import dev.resilientjdbc.control.pg.PgServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Recovery after a fast restart of PostgreSQL: the time from the server accepting connections again
 * to the application's first successful call, ten restarts per side, median/p90/max.
 *
 * <p>Not JMH: each sample is one real restart, driven from outside the measured thread. The
 * application thread runs {@code SELECT 1} in a loop and stamps every success; a probe thread
 * tries a raw connect every half millisecond and stamps the start of the first attempt that succeeds
 * after the stop (the server was accepting by then). Sides: resilient-jdbc on one connection with
 * default settings (also with {@code resilient.connect.maxDelay=50ms}, and through the embedded pool), and a hand-written raw-driver
 * app that, on any error, reconnects in a tight loop (every half millisecond) — the best an
 * application can do on its own.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.resilientjdbc.bench.RecoveryTime [restarts]}.
 */
public final class RecoveryTime {
    private static final long HALF_MS = 500_000L;
    // Held, because java.util.logging keeps loggers only weakly: a level set on a dropped one is lost.
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.resilientjdbc");

    private RecoveryTime() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        QUIET.setLevel(java.util.logging.Level.WARNING); // reconnect INFO lines would drown the figures
        try (PgServer pg = PgServer.builder().build().start()) {
            String raw = pg.jdbcUrl() + "?user=postgres";
            String resilient = raw.replace("jdbc:", "jdbc:resilient:") + "&resilient.metrics.enabled=false";
            for (long outageMs : new long[]{0, 2000}) {
                System.out.printf(outageMs == 0 ? "Recovery after a fast restart (stop -m fast, start), %d restarts per side%n"
                        : "Recovery after a %d ms outage (stop -m fast, %d ms down, start), %d restarts per side%n",
                        outageMs == 0 ? rounds : outageMs, outageMs, rounds);
                report("raw driver, hand-written reconnect loop", measure(pg, raw, false, rounds, outageMs));
                report("resilient-jdbc, defaults", measure(pg, resilient, true, rounds, outageMs));
                report("resilient-jdbc, connect.maxDelay=50ms", measure(pg, resilient + "&resilient.connect.maxDelay=50ms", true, rounds, outageMs));
                report("resilient-jdbc, resilient.pool=true", measure(pg, resilient + "&resilient.pool=true", true, rounds, outageMs));
            }
        }
    }

    /** The application: SELECT 1 in a loop, every success stamped. */
    private static final class App implements Runnable {
        final String url;
        final boolean resilient;
        final long[] successes = new long[1 << 22];
        volatile int count;
        volatile boolean stop;
        volatile Throwable died;

        App(String url, boolean resilient) {
            this.url = url;
            this.resilient = resilient;
        }

        @Override
        public void run() {
            Connection c = null;
            try {
                while (!stop) {
                    try {
                        if (c == null) {
                            c = DriverManager.getConnection(url);
                        }
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                            rs.next();
                        }
                        int n = count;
                        successes[n & (successes.length - 1)] = System.nanoTime();
                        count = n + 1;
                    } catch (SQLException e) {
                        if (resilient) {
                            throw e; // resilient-jdbc must hide a fast restart: an error here is a failure of the product
                        }
                        // The hand-written app: drop the connection, try again at once.
                        closeQuietly(c);
                        c = null;
                        LockSupport.parkNanos(HALF_MS);
                    }
                }
            } catch (Throwable t) {
                died = t;
            } finally {
                closeQuietly(c);
            }
        }

        /** The first success stamped after {@code t}, or -1. */
        long firstSuccessAfter(long t) {
            int n = count;
            for (int i = Math.max(0, n - successes.length); i < n; i++) {
                long s = successes[i & (successes.length - 1)];
                if (s > t) {
                    return s;
                }
            }
            return -1;
        }
    }

    private static long[] measure(PgServer pg, String url, boolean resilient, int rounds, long outageMs) throws Exception {
        App app = new App(url, resilient);
        Thread t = new Thread(app, "recovery-app");
        t.setDaemon(true);
        t.start();
        long[] recovery = new long[rounds];
        try {
            awaitSuccesses(app, 100);
            for (int r = 0; r < rounds; r++) {
                pg.stopFast();
                long down = System.nanoTime(); // every app call from here on needs the restarted server
                if (outageMs > 0) {
                    Thread.sleep(outageMs); // the outage itself: nothing to wait for but the clock
                }
                Thread starter = new Thread(pg::start, "recovery-start");
                starter.start();
                long ready = firstAcceptedConnect(pg);
                starter.join();
                long first;
                long deadline = System.nanoTime() + 30_000_000_000L;
                while ((first = app.firstSuccessAfter(down)) < 0) {
                    if (app.died != null) {
                        throw new IllegalStateException("the application failed during restart " + r, app.died);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no success within 30 s of restart " + r);
                    }
                    LockSupport.parkNanos(HALF_MS);
                }
                // Negative when the application got through before the probe did: it lost no time at all.
                recovery[r] = Math.max(0, first - ready);
                awaitSuccesses(app, app.count + 100);
            }
        } finally {
            app.stop = true;
            t.join(10_000);
        }
        return recovery;
    }

    /** Probes with the raw driver every half millisecond; returns when the first successful attempt started. */
    private static long firstAcceptedConnect(PgServer pg) {
        String raw = pg.jdbcUrl() + "?user=postgres&connectTimeout=2";
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            long attempt = System.nanoTime();
            try (Connection c = DriverManager.getConnection(raw)) {
                return attempt;
            } catch (SQLException refusedOrStarting) {
                LockSupport.parkNanos(HALF_MS);
            }
        }
        throw new IllegalStateException("the server did not come back within 60 s");
    }

    private static void awaitSuccesses(App app, int n) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (app.count < n) {
            if (app.died != null) {
                throw new IllegalStateException("the application failed", app.died);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the application made no progress");
            }
            LockSupport.parkNanos(HALF_MS);
        }
    }

    private static void report(String side, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        List<String> each = new ArrayList<>();
        for (long n : nanos) {
            each.add(String.format("%.0f", n / 1e6));
        }
        System.out.printf("  %-40s median %6.1f ms   p90 %6.1f ms   max %6.1f ms   (each: %s)%n", side,
                s[s.length / 2] / 1e6, s[(int) Math.ceil(s.length * 0.9) - 1] / 1e6, s[s.length - 1] / 1e6, String.join(", ", each));
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a connection to a server that is gone
            }
        }
    }
}
