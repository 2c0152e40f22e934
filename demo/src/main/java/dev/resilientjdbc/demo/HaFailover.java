package dev.resilientjdbc.demo;

import dev.resilientjdbc.control.ha.PatroniCluster;
import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.demo.ledger.WritePause;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * {@code --ha}: the bank ledger through a failover of a real 3-member Patroni cluster (Debian's Patroni and
 * PostgreSQL 15, a local etcd, synchronous mode, ttl/loop_wait/retry_timeout 10/2/4), raw pgjdbc and
 * resilient-jdbc side by side, each in a database of its own, both through the multi-host URL with
 * {@code targetServerType=primary} — what pgjdbc users point at a Patroni cluster. The leader is killed once
 * (kill -9 of Patroni, the postmaster and its backends: a machine death), then, unless asked not to, switched
 * over with {@code patronictl} (a planned change of leader); after each, both run on until the cluster has a
 * leader again and the resilient side has committed a while there; then the checker reads both ledgers on
 * the leader.
 */
final class HaFailover {
    static final String WORKLOAD = "HA failover";
    static final String KILL = "leader killed (kill -9)";
    static final String SWITCHOVER = "switchover (patronictl)";
    private static final int ACCOUNTS = 10;
    private static final long SEED = 24;
    private static final String INSTALL = "apt-get install postgresql-15 patroni etcd-server python3-etcd haproxy";

    /** One fault of the HA scenario: the time until the cluster had a leader again, the side's longest time without a committed transfer. */
    record Step(String fault, long leaderAgainMs, long writePauseMs) {
    }

    /** What the HA scenario adds to a side's report: its steps, in the order they struck. */
    record Figures(List<Step> steps) {
        Figures {
            steps = List.copyOf(steps);
        }
    }

    private final int clients;
    private final Duration warmUp;
    private final PrintWriter out;
    private final boolean switchover;

    /** {@code switchover}: after the kill, also a planned switchover. */
    HaFailover(int clients, Duration warmUp, PrintWriter out, boolean switchover) {
        this.clients = clients;
        this.warmUp = warmUp;
        this.out = out;
        this.switchover = switchover;
    }

    /** Null when Patroni, etcd and PostgreSQL 15 are installed; else one line saying what is missing and how to get it. */
    static String unavailable() {
        String missing = PatroniCluster.missing();
        return missing == null ? null : "HA failover skipped: Patroni is not installed (missing: " + missing + "; " + INSTALL + ")";
    }

    private static Properties user() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "3");
        return p;
    }

    /** Starts the cluster, runs both sides through the kill, checks both ledgers: the raw report, then the resilient one. */
    List<Report> run() throws Exception {
        out.println("HA failover: starting a 3-member Patroni cluster (PostgreSQL 15, etcd, synchronous mode) ...");
        long begin = System.nanoTime();
        try (PatroniCluster cluster = PatroniCluster.start(3, true, false)) {
            cluster.createDatabase("ha_raw");
            cluster.createDatabase("ha_resilient");
            cluster.awaitDatabaseEverywhere("ha_raw", Duration.ofSeconds(30));
            cluster.awaitDatabaseEverywhere("ha_resilient", Duration.ofSeconds(30));
            out.printf("HA failover: cluster ready in %.1f s; %d clients per side through %s; the leader is killed after %s.%n",
                    (System.nanoTime() - begin) / 1e9, clients, cluster.multiHostUrl("ha_raw|ha_resilient"), DemoMain.format(warmUp));
            return run(cluster);
        }
    }

    /** One fault and how to make it: returns once it is done, the leader it struck given. */
    private interface Strike {
        void on(PatroniCluster cluster, PatroniCluster.Member leader) throws Exception;
    }

    private List<Report> run(PatroniCluster cluster) throws Exception {
        String rawUrl = cluster.multiHostUrl("ha_raw");
        String oursUrl = DemoMain.resilient(cluster.multiHostUrl("ha_resilient")) + "&resilient.connect.maxDuration=30s";
        Recovery before = Recovery.snapshot(oursUrl);
        Duration budget = warmUp.plusSeconds(150);
        LedgerRun raw = LedgerWorkload.builder(rawUrl).properties(user()).accounts(ACCOUNTS).clients(clients).readShare(0.2).seed(SEED)
                .duration(budget).stopGrace(Duration.ofSeconds(10)).reopenClosedConnections(true).build().start();
        LedgerRun ours = LedgerWorkload.builder(oursUrl).properties(user()).accounts(ACCOUNTS).clients(clients).readShare(0.2).seed(SEED)
                .duration(budget).stopGrace(Duration.ofSeconds(10)).build().start();
        long t0 = System.nanoTime();
        List<Step> rawSteps = new ArrayList<>();
        List<Step> oursSteps = new ArrayList<>();
        List<Object[]> struck = new ArrayList<>();
        try (ProgressSampler rawSampler = new ProgressSampler("ha-sampler-raw", t0, raw::committedSoFar, () -> errors(raw));
             ProgressSampler oursSampler = new ProgressSampler("ha-sampler-resilient", t0, ours::committedSoFar, () -> errors(ours))) {
            try {
                show(t0 + warmUp.toNanos(), t0, raw, ours, "-");
                step(cluster, KILL, (c, leader) -> c.kill(leader), t0, raw, ours, rawSteps, oursSteps, struck);
                if (switchover) {
                    // Synchronous mode: a switchover goes to the synchronous standby; after the kill, the one replica left becomes it.
                    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (cluster.syncStandby().isEmpty() && System.nanoTime() < until) {
                        show(System.nanoTime() + 250_000_000L, t0, raw, ours, "waiting for a synchronous standby");
                    }
                    if (cluster.syncStandby().isPresent()) {
                        step(cluster, SWITCHOVER, (c, leader) -> c.switchover(leader, null), t0, raw, ours, rawSteps, oursSteps, struck);
                    } else {
                        out.printf("%n  %s skipped: no synchronous standby within 30 s after the kill%n", SWITCHOVER);
                    }
                }
                out.println();
                ours.stop();
                raw.stop();
                LedgerWorkload.Result rawResult = raw.awaitResult();
                LedgerWorkload.Result oursResult = ours.awaitResult();
                Recovery recovery = Recovery.snapshot(oursUrl).minus(before);
                PatroniCluster.Member checkOn = cluster.awaitLeader(Duration.ofSeconds(30));
                Report rawReport = report(checkOn, "ha_raw", "raw", rawResult, LedgerChecker.CommitFailures.AMBIGUOUS, null,
                        rawSampler.samples(), struck, new Figures(rawSteps));
                Report oursReport = report(checkOn, "ha_resilient", "resilient", oursResult, LedgerChecker.CommitFailures.DEFINITE, recovery,
                        oursSampler.samples(), struck, new Figures(oursSteps));
                for (Step st : rawSteps) {
                    out.printf("HA failover: %s, a leader again %d ms after it%n", st.fault(), st.leaderAgainMs());
                }
                for (Report r : List.of(rawReport, oursReport)) {
                    out.println("  " + line(r));
                }
                return List.of(rawReport, oursReport);
            } finally {
                raw.close();
                ours.close();
            }
        }
    }

    /**
     * One fault while both sides run: their write pauses measured from just before it, the time until the cluster has a
     * leader other than the one struck, then both run on until the resilient side has committed 100 more and the raw one 20
     * more (when it can; 30 s at most, and at least the warm-up or 10 s).
     */
    private void step(PatroniCluster cluster, String fault, Strike strike, long t0, LedgerRun raw, LedgerRun ours, List<Step> rawSteps,
                      List<Step> oursSteps, List<Object[]> struck) throws Exception {
        PatroniCluster.Member old = cluster.awaitLeader(Duration.ofSeconds(10));
        WritePause rawPause = WritePause.start("ha-pause-raw", raw);
        WritePause oursPause = WritePause.start("ha-pause-resilient", ours);
        try {
            struck.add(new Object[]{(System.nanoTime() - t0) / 1_000_000, fault});
            long at = System.nanoTime();
            strike.on(cluster, old);
            PatroniCluster.Member leader = cluster.awaitNewLeader(old, Duration.ofSeconds(60));
            long leaderAgainMs = (System.nanoTime() - at) / 1_000_000;
            long oursThen = ours.committedSoFar();
            long rawThen = raw.committedSoFar();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long minimum = System.nanoTime() + Math.min(warmUp.toNanos(), Duration.ofSeconds(10).toNanos());
            while (System.nanoTime() < minimum || System.nanoTime() < deadline
                    && (ours.committedSoFar() < oursThen + 100 || raw.committedSoFar() < rawThen + 20)) {
                show(Math.min(System.nanoTime() + 250_000_000L, deadline), t0, raw, ours, fault + ", " + old.name + " -> " + leader.name);
            }
            rawSteps.add(new Step(fault, leaderAgainMs, rawPause.stop().toMillis()));
            oursSteps.add(new Step(fault, leaderAgainMs, oursPause.stop().toMillis()));
        } finally {
            rawPause.stop(); // a second stop only returns the figure again
            oursPause.stop();
        }
    }

    /** {@code raw: 812 committed, 95 errors (connect 08001=93, 08006=2), writes paused 10412 ms, 1480 ms, invariants ok}. */
    static String line(Report r) {
        return String.format(java.util.Locale.ROOT, "%-10s %d committed, %d errors (%s), writes paused %s, invariants %s", r.side + ":",
                r.succeeded, r.errors, r.errorsText(), r.ha.steps().stream().map(s -> s.writePauseMs() + " ms").collect(Collectors.joining(", ")),
                r.consistent ? "ok" : "FAILED: " + r.check);
    }

    private Report report(PatroniCluster.Member leader, String database, String side, LedgerWorkload.Result result,
                          LedgerChecker.CommitFailures commitFailures, Recovery recovery, List<long[]> timeline, List<Object[]> struck,
                          Figures figures) throws Exception {
        LedgerChecker.Report check;
        try (Connection c = DriverManager.getConnection(leader.jdbcUrl(database), user())) {
            check = LedgerChecker.check(c, result, commitFailures);
        }
        Map<String, Long> errors = new TreeMap<>(result.failuresBySqlState());
        result.readFailuresBySqlState().forEach((k, v) -> errors.merge("read " + k, v, Long::sum));
        // A getConnection that failed reached the application too: the raw clients open a new connection when theirs died.
        result.connectFailuresBySqlState().forEach((k, v) -> errors.merge("connect " + k, v, Long::sum));
        long lost = check.violations(LedgerChecker.Kind.ACKNOWLEDGED_MISSING).size();
        long duplicated = check.violations(LedgerChecker.Kind.DUPLICATED).size()
                + check.violations(LedgerChecker.Kind.FAILED_BUT_PRESENT).size();
        String note = check.ok() ? "" : check.violations().size() + " violations, first: " + check.violations().get(0);
        if (!check.ok()) {
            out.println("  " + side + " HA ledger check: " + check);
        }
        Report r = new Report(WORKLOAD, side, side.equals("raw") ? "plain driver, multi-host URL" : "jdbc:resilient: multi-host URL",
                result.committed(), result.failed() + result.readsFailed() + result.connectFailures(), errors, lost, duplicated, check.ok(), note,
                result.elapsed().toMillis())
                .timing(result.transferLatency(), result.longestPause().toMillis())
                .recovery(recovery)
                .timeline(timeline)
                .ha(figures);
        r.faults.addAll(struck);
        return r;
    }

    /** Every error that reached the application so far, failed connects included (as in the side's report). */
    private static long errors(LedgerRun run) {
        return run.errorsSoFar() + run.connectFailuresSoFar();
    }

    private void show(long due, long t0, LedgerRun raw, LedgerRun ours, String fault) {
        while (System.nanoTime() < due) {
            LockSupport.parkNanos(Math.min(due - System.nanoTime(), 250_000_000L));
            out.printf("\r  [HA] %5.1fs  raw %6d tx %4d errors | resilient %6d tx %4d errors  %s", (System.nanoTime() - t0) / 1e9,
                    raw.committedSoFar(), errors(raw), ours.committedSoFar(), errors(ours), fault);
            out.flush();
        }
    }
}
