package dev.resilientjdbc.testkit.demo;

import dev.resilientjdbc.testkit.chaos.ChaosProxy;
import dev.resilientjdbc.testkit.ledger.LedgerChecker;
import dev.resilientjdbc.testkit.ledger.LedgerRun;
import dev.resilientjdbc.testkit.ledger.LedgerWorkload;
import dev.resilientjdbc.testkit.pg.PgServer;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The bank ledger (transfers in explicit transactions, autocommit reads) against PostgreSQL through
 * the chaos proxy, while a fault schedule strikes: every backend terminated, a fast restart, a crash
 * restart (kill -9), the TCP path cut. The checker then looks for lost or duplicated commits.
 */
final class LedgerUnderFire {
    private final PgServer pg;
    private final ChaosProxy proxy;
    private final int clients;
    private final Duration duration;

    LedgerUnderFire(PgServer pg, ChaosProxy proxy, int clients, Duration duration) {
        this.pg = pg;
        this.proxy = proxy;
        this.clients = clients;
        this.duration = duration;
    }

    /** A fault and when it strikes, as a fraction of the run. */
    private static final class Fault {
        final String name;
        final double at;
        final Action action;

        Fault(String name, double at, Action action) {
            this.name = name;
            this.at = at;
            this.action = action;
        }
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    Report run(String side, boolean resilient) throws Exception {
        pg.ensureRunning();
        proxy.reset();
        String raw = "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + pg.database()
                + "?user=postgres&connectTimeout=5&socketTimeout=10&loginTimeout=10";
        String url = resilient ? raw.replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=20s" : raw;
        List<Fault> schedule = List.of(
                new Fault("terminate all backends", 0.15, pg::terminateAllClientBackends),
                new Fault("fast restart", 0.35, pg::restart),
                new Fault("crash restart (kill -9)", 0.55, pg::crashRestart),
                new Fault("TCP path cut", 0.75, proxy::cutAll));
        LedgerWorkload workload = LedgerWorkload.builder(url).accounts(20).clients(clients).readShare(0.2)
                .duration(duration).seed(2026).reopenClosedConnections(!resilient).build();
        long t0 = System.nanoTime();
        LedgerWorkload.Result result;
        List<long[]> timeline = new java.util.ArrayList<>();
        List<Object[]> struck = new java.util.ArrayList<>();
        try (LedgerRun run = workload.start()) {
            String current = "-";
            for (Fault f : schedule) {
                long due = t0 + (long) (duration.toNanos() * f.at);
                current = sampleUntil(due, t0, run, timeline, side, current);
                struck.add(new Object[]{(System.nanoTime() - t0) / 1_000_000, f.name});
                current = f.name;
                f.action.run();
            }
            sampleUntil(t0 + duration.toNanos(), t0, run, timeline, side, current);
            System.out.println();
            result = run.awaitResult();
        }
        LedgerChecker.Report report;
        try (Connection c = pg.connect()) {
            report = LedgerChecker.check(c, result);
        }
        java.util.Map<String, Long> errors = new java.util.TreeMap<>(result.failuresBySqlState());
        result.readFailuresBySqlState().forEach((k, v) -> errors.merge("read " + k, v, Long::sum));
        long errorCount = result.failed() + result.readsFailed();
        String check = (report.ok() ? "no lost or duplicated commit" : report.violations().size() + " violations")
                + ", longest pause " + result.longestPause().toMillis() + " ms, p99 " + result.transferLatency().p99().toMillis() + " ms";
        Report r = new Report("PostgreSQL ledger", side, result.committed(), errorCount, errors, report.ok(), check,
                result.elapsed().toMillis());
        r.timeline.addAll(timeline);
        r.faults.addAll(struck);
        return r;
    }

    /** Samples progress every 250 ms until {@code due}, keeping one live line on the terminal. */
    private static String sampleUntil(long due, long t0, LedgerRun run, List<long[]> timeline, String side, String fault) {
        while (System.nanoTime() < due) {
            LockSupport.parkNanos(Math.min(due - System.nanoTime(), 250_000_000L));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long committed = run.committedSoFar();
            long failed = run.failedSoFar();
            timeline.add(new long[]{ms, committed, failed});
            System.out.printf("\r  [%-9s] %5.1fs  transactions %6d  errors %4d  last fault: %-26s", side, ms / 1000.0,
                    committed, failed, fault);
            System.out.flush();
        }
        return fault;
    }
}
