package dev.resilientjdbc.demo;

import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerSchema;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.demo.ledger.ResultLines;
import dev.resilientjdbc.demo.ledger.TurnGate;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The bank ledger (transfers in explicit transactions, autocommit reads) against PostgreSQL through
 * the chaos proxy, while the chosen faults strike: every backend terminated, a fast restart, a crash
 * restart (kill -9), the TCP path cut. The checker then looks for lost or duplicated commits.
 *
 * <p>The workload runs in this JVM (the resilient side through a {@code jdbc:resilient:} URL), or,
 * with an {@link Agent}, as an unchanged app in a child JVM per side: plain {@code jdbc:postgresql:}
 * URL on both, {@code -javaagent} on the resilient one.
 */
final class LedgerUnderFire {
    static final String WORKLOAD = "PostgreSQL ledger";
    private static final int ACCOUNTS = 20;
    private static final long SEED = 2026;

    /** How to start the child JVMs for {@code --agent}: the agent jar and the class path holding {@code LedgerApp}. */
    record Agent(Path jar, String classPath) {
        String arg() {
            // JMX, so the app's stdout can report the agent's counters without knowing any resilient-jdbc type.
            return "-javaagent:" + jar + "=resilient.metrics.jmx=true,resilient.connect.maxDuration=20s";
        }
    }

    private final PgTarget target;
    private final Set<Fault> faults;
    private final int clients;
    private final Duration duration;
    private final PrintWriter out;
    private final Agent agent;

    LedgerUnderFire(PgTarget target, Set<Fault> faults, int clients, Duration duration, PrintWriter out, Agent agent) {
        this.target = target;
        this.faults = faults;
        this.clients = clients;
        this.duration = duration;
        this.out = out;
        this.agent = agent;
    }

    /** One side's workload while it runs: progress for the live line, then its result. */
    private interface Running extends AutoCloseable {
        long committed();

        long errors();

        LedgerWorkload.Result finish() throws Exception;

        /** Null on the raw side. */
        Recovery recovery();

        @Override
        void close();
    }

    Report run(String side, boolean resilient) throws Exception {
        target.prepare();
        freshTables();
        String raw = target.clientUrl();
        List<long[]> timeline;
        List<Object[]> struck = new ArrayList<>();
        LedgerWorkload.Result result;
        Recovery recovery;
        try (Running run = agent != null ? child(side, resilient, raw) : inProcess(resilient, raw)) {
            long t0 = System.nanoTime();
            // Sampled on its own thread: a strike (a restart takes a while) must not leave a hole in the timeline.
            try (ProgressSampler sampler = new ProgressSampler("ledger-sampler-" + side, t0, run::committed, run::errors)) {
                String current = "-";
                for (Fault f : faults) {
                    showUntil(t0 + (long) (duration.toNanos() * f.at), t0, run, side, current);
                    long at = (System.nanoTime() - t0) / 1_000_000;
                    String skipped = target.strike(f);
                    if (skipped == null) {
                        struck.add(new Object[]{at, target.title(f)});
                        current = target.title(f);
                    } else {
                        out.printf("%n  %s skipped: %s%n", target.title(f), skipped);
                    }
                }
                showUntil(t0 + duration.toNanos(), t0, run, side, current);
                out.println();
                result = run.finish();
                timeline = sampler.samples();
            }
            recovery = run.recovery();
        }
        LedgerChecker.Report report;
        try (Connection c = target.direct()) {
            // The agent's side has a plain URL but the driver's promise: an 08xxx at commit is a definite failure.
            report = LedgerChecker.check(c, result, resilient ? LedgerChecker.CommitFailures.DEFINITE : LedgerChecker.CommitFailures.AMBIGUOUS);
        }
        Map<String, Long> errors = new TreeMap<>(result.failuresBySqlState());
        result.readFailuresBySqlState().forEach((k, v) -> errors.merge("read " + k, v, Long::sum));
        long lost = report.violations(LedgerChecker.Kind.ACKNOWLEDGED_MISSING).size();
        long duplicated = report.violations(LedgerChecker.Kind.DUPLICATED).size()
                + report.violations(LedgerChecker.Kind.FAILED_BUT_PRESENT).size();
        String check = report.ok() ? unknownNote(report) : report.violations().size() + " violations, first: " + report.violations().get(0);
        if (!report.ok()) {
            out.println("  " + side + " ledger check: " + report);
        }
        String via = !resilient ? "plain driver" : agent != null ? "-javaagent" : "jdbc:resilient: URL";
        Report r = new Report(WORKLOAD, side, via, result.committed(), result.failed() + result.readsFailed(), errors, lost, duplicated,
                report.ok(), check, result.elapsed().toMillis())
                .timing(result.transferLatency(), result.longestPause().toMillis())
                .recovery(recovery)
                .timeline(timeline);
        r.faults.addAll(struck);
        return r;
    }

    private static String unknownNote(LedgerChecker.Report report) {
        int unknown = report.unknownOutcome() + report.ambiguousCommitFailures() + report.inFlight();
        int committed = report.unknownOutcomeCommitted() + report.ambiguousCommitFailuresCommitted() + report.inFlightCommitted();
        return unknown == 0 ? "" : "in doubt: " + unknown + ", landed: " + committed;
    }

    /** The URL a side's in-process clients connect with: the raw one, or the same behind {@code jdbc:resilient:}. */
    private static String url(boolean resilient, String raw) {
        return resilient ? DemoMain.resilient(raw) + "&resilient.connect.maxDuration=20s" : raw;
    }

    /** One side's in-process ledger: the same for the interleaved measurement as under fire. */
    private LedgerWorkload.Builder workload(boolean resilient, String raw, Duration runFor) {
        return LedgerWorkload.builder(url(resilient, raw)).accounts(ACCOUNTS).clients(clients).readShare(0.2)
                .duration(runFor).seed(SEED).reopenClosedConnections(!resilient);
    }

    /**
     * Before the faults: both sides' in-process ledgers on the same tables, each client connected once,
     * taking turns (see {@link Interleaved}). The schema is reset once, so neither side starts on fresher tables.
     */
    Interleaved.Result interleaved(Duration warmUp, Duration window, int slices) throws Exception {
        if (agent != null) {
            throw new IllegalStateException("the interleaved measurement runs the ledger in this JVM, not with --agent");
        }
        target.prepare();
        freshTables();
        String raw = target.clientUrl();
        // An upper bound only: the measurement stops both runs when it is done.
        Duration bound = warmUp.plus(window.multipliedBy(2L * slices + 4)).plusSeconds(60);
        TurnGate rawGate = new TurnGate();
        TurnGate resilientGate = new TurnGate();
        try (LedgerRun rawRun = workload(false, raw, bound).gate(rawGate).build().start();
             LedgerRun resilientRun = workload(true, raw, bound).gate(resilientGate).resetSchema(false).build().start()) {
            Duration connect = Duration.ofSeconds(60);
            rawGate.awaitWaiting(clients, connect);
            resilientGate.awaitWaiting(clients, connect);
            return Interleaved.measure(turn(rawRun, rawGate), turn(resilientRun, resilientGate), warmUp, window, slices);
        }
    }

    /**
     * Empties the ledger's tables with TRUNCATE, so that each run starts on new files. The workload's own reset
     * DELETEs, which would leave the previous run's rows (thousands of journal rows, account versions) as dead
     * tuples for the next side to step over until autovacuum comes: the side that runs second would pay for the first.
     */
    private void freshTables() throws SQLException {
        try (Connection c = target.direct(); Statement st = c.createStatement()) {
            // A session of the last run that the server has not yet seen gone may still hold a lock; the reset's DELETE copes.
            st.execute("SET lock_timeout = '5s'");
            st.execute("TRUNCATE TABLE " + LedgerSchema.JOURNAL + ", " + LedgerSchema.ACCOUNTS);
        } catch (SQLException e) {
            // 42P01: no tables yet, the first run creates them; 55P03: not now, the workload's reset DELETEs instead.
            if (!"42P01".equals(e.getSQLState()) && !"55P03".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private static Interleaved.Turn turn(LedgerRun run, TurnGate gate) {
        return new Interleaved.Turn() {
            @Override
            public long committed() {
                return run.committedSoFar();
            }

            @Override
            public long errors() {
                return run.errorsSoFar();
            }

            @Override
            public void resume() {
                gate.open();
            }

            @Override
            public void pause() throws InterruptedException {
                // Generous: without faults an operation takes milliseconds, but a loaded machine can stall.
                gate.close(Duration.ofSeconds(30));
            }
        };
    }

    private Running inProcess(boolean resilient, String raw) throws Exception {
        String url = url(resilient, raw);
        Recovery before = resilient ? Recovery.snapshot(url) : null;
        LedgerRun run = workload(resilient, raw, duration).build().start();
        return new Running() {
            @Override
            public long committed() {
                return run.committedSoFar();
            }

            @Override
            public long errors() {
                return run.errorsSoFar();
            }

            @Override
            public LedgerWorkload.Result finish() throws InterruptedException {
                return run.awaitResult();
            }

            @Override
            public Recovery recovery() {
                return resilient ? Recovery.snapshot(url).minus(before) : null;
            }

            @Override
            public void close() {
                run.close();
            }
        };
    }

    private Running child(String side, boolean resilient, String url) throws Exception {
        List<String> jvmArgs = resilient ? List.of(agent.arg()) : List.of();
        LedgerChild child = LedgerChild.start(jvmArgs, agent.classPath(), url, clients, duration, side);
        try {
            // JVM start, agent installation and the schema reset: generous, a loaded machine is slow here.
            String wrap = child.awaitLine(l -> l.startsWith("WRAP "), Duration.ofSeconds(120), "first connection (WRAP line)");
            checkWrapping(wrap, resilient);
            child.awaitLine("READY"::equals, Duration.ofSeconds(60), "READY");
            if (resilient) {
                child.stderr().stream().filter(l -> l.startsWith("resilient-agent")).findFirst()
                        .ifPresent(l -> out.println("  child JVM: " + l));
            }
        } catch (Exception | Error e) {
            child.close();
            throw e;
        }
        return new Running() {
            private Recovery recovery;

            @Override
            public long committed() {
                return child.committed();
            }

            @Override
            public long errors() {
                return child.failed();
            }

            @Override
            public LedgerWorkload.Result finish() throws Exception {
                // The app's run ends by itself; it may take the stop grace for a client stuck in a dead call.
                Duration wait = Duration.ofSeconds(60);
                child.awaitLine("DONE"::equals, wait, "DONE");
                int exit = child.awaitExit(wait);
                if (exit != 0) {
                    throw new IllegalStateException("the ledger app (" + side + ") exited with " + exit + "; stderr: " + child.stderr());
                }
                List<String> lines = child.stdout();
                lines.stream().filter(l -> l.startsWith("METRICS ")).findFirst().ifPresent(l -> recovery = Recovery.parse(l));
                return ResultLines.read(lines);
            }

            @Override
            public Recovery recovery() {
                return resilient ? recovery : null;
            }

            @Override
            public void close() {
                child.close();
            }
        };
    }

    /**
     * With the agent: one resilient proxy, the agent's own (relocated) type, straight over the
     * real PgConnection — not a proxy over a proxy, although the demo jar on the app's class path
     * holds the (unrelocated) driver too. Without it: the real connection.
     */
    private void checkWrapping(String wrap, boolean resilient) {
        boolean ok = resilient
                ? wrap.contains("proxy=true") && wrap.contains("physical=org.postgresql.jdbc.PgConnection") && wrap.contains(".agent.shaded.")
                : wrap.contains("proxy=false") && wrap.contains("resilient=none");
        if (!ok) {
            throw new IllegalStateException("the ledger app's connection is not what " + (resilient ? "the agent" : "the plain driver")
                    + " should hand out: " + wrap);
        }
        if (resilient) {
            out.println("  child JVM with the agent: one resilient proxy over org.postgresql.jdbc.PgConnection, no double wrapping");
        }
    }

    /** Keeps one live line on the terminal, updated every 250 ms, until {@code due}. */
    private void showUntil(long due, long t0, Running run, String side, String fault) {
        while (System.nanoTime() < due) {
            LockSupport.parkNanos(Math.min(due - System.nanoTime(), 250_000_000L));
            out.printf("\r  [%-9s] %5.1fs  transactions %6d  errors %4d  last fault: %-29s", side, (System.nanoTime() - t0) / 1e9,
                    run.committed(), run.errors(), fault);
            out.flush();
        }
    }
}
