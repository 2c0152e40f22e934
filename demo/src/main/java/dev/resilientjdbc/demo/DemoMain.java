package dev.resilientjdbc.demo;

import dev.resilientjdbc.config.UrlMasking;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The demo: the same workloads through the raw driver and through resilient-jdbc, against
 * PostgreSQL (embedded, or {@code --url}) and an SQLite file, with real faults — terminated
 * backends, restarts, crashes, cut connections, deadlocks between concurrent writers and
 * SQLITE_BUSY between concurrent writers — and tables of what each side saw.
 */
@Command(name = "resilient-demo", mixinStandardHelpOptions = true, version = "resilient-demo 0.1", sortOptions = false,
        description = "Runs workloads side by side through the raw JDBC driver and through resilient-jdbc,"
                + " with real faults, and prints what the application saw on each side.",
        footer = {"", "Exit status: 0 when every resilient side kept every acknowledged write exactly once and saw only 40001/08007"
                + " errors, 1 when not, 2 for a usage error."})
public final class DemoMain implements Callable<Integer> {
    private static final Duration DEFAULT_WARM_UP = Duration.ofSeconds(2);
    private static final Duration MAX_WARM_UP = Duration.ofMinutes(5);
    /** Short enough for many turns per side, long enough that the switch between sides is a small part of it. */
    static final Duration SLICE = Duration.ofMillis(500);

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "TIME", description = "how long each workload runs per side; the ledger runs twice as long"
            + " (default: ${DEFAULT-VALUE}; 500ms, 5s, 2m)", defaultValue = "4s", converter = DurationConverter.class)
    Duration duration;

    @Option(names = "--warm-up", paramLabel = "TIME", description = "before the faults, the PostgreSQL ledger runs fault-free with the"
            + " sides taking turns in 500 ms slices (raw, resilient, ..., raw) to compare their throughput; this long first, in turns"
            + " too, not measured (default: 2s; 0s to 5m, e.g. 500ms, 10s, 1m). Not with --agent or --no-postgres",
            converter = DurationConverter.class)
    Duration warmUp;

    @Option(names = "--threads", paramLabel = "N", description = "client threads per workload, 2 to 64 (default: ${DEFAULT-VALUE})",
            defaultValue = "6")
    int threads;

    @Option(names = "--faults", paramLabel = "LIST",
            description = "faults the PostgreSQL ledger runs under, comma-separated: terminate (every backend), restart (fast),"
                    + " crash (kill -9, then restart), cut (TCP path), or none (default: all; with --url jdbc:postgresql: terminate,cut)")
    String faults;

    @Option(names = "--url", paramLabel = "URL", description = "an external database instead of the embedded one:"
            + " jdbc:postgresql://host[:port]/database?user=..&password=.. (ledger and deadlocks through a chaos proxy; faults"
            + " terminate of the demo's own sessions and cut only) or jdbc:sqlite:PATH (busy writers and ledger on that file)."
            + " The demo creates and empties its tables ledger_accounts, ledger_journal and demo_rows there")
    String url;

    @Option(names = "--agent", description = "run the PostgreSQL ledger as an unchanged app (plain jdbc:postgresql: URL) in a child JVM"
            + " per side: raw without, resilient with -javaagent:resilient-agent.jar")
    boolean agent;

    @Option(names = "--agent-jar", paramLabel = "PATH", description = "the java agent for --agent (default: agent/target/resilient-agent.jar"
            + " in the current directory or its parent, else ../../agent/target/resilient-agent.jar from the demo jar's directory)")
    Path agentJar;

    @Option(names = "--ha", description = "also run the ledger through a failover of a real 3-member Patroni cluster (PostgreSQL 15,"
            + " etcd, synchronous mode), raw and resilient side by side through the multi-host URL with targetServerType=primary;"
            + " the leader is killed, then switched over. Needs Debian's patroni, etcd-server, python3-etcd, haproxy and postgresql-15; without them"
            + " it says so and the rest of the demo runs")
    boolean ha;

    @Option(names = "--no-postgres", description = "skip the PostgreSQL workloads")
    boolean noPostgres;

    @Option(names = "--no-sqlite", description = "skip the SQLite workloads")
    boolean noSqlite;

    @Option(names = "--sqlite", description = "also run the bank ledger on an SQLite file (no busy wait), not only the busy writers")
    boolean sqliteLedger;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "where the JSON and HTML reports go (default: ${DEFAULT-VALUE})",
            defaultValue = "resilient-demo-report")
    Path reportDir;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The demo's command line: a usage error prints its message and a pointer to --help, not the whole help. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new DemoMain());
        cmd.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("resilient-demo: " + UrlMasking.mask(e.getMessage()));
            err.println("Try 'java -jar resilient-demo.jar --help' for the options.");
            err.flush();
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return cmd;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Plan plan = plan();
        // Reconnect notices would break the live progress line; the tables count reconnects instead.
        Logger driverLog = Logger.getLogger("dev.resilientjdbc");
        Level level = driverLog.getLevel();
        driverLog.setLevel(Level.WARNING);
        List<Report> reports = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("duration", format(duration));
        settings.put("threads", String.valueOf(threads));
        try {
            if (!noPostgres) {
                postgres(plan, out, reports, settings);
            }
            if (ha) {
                ha(out, reports, settings);
            }
            if (!noSqlite) {
                sqlite(plan, out, reports, settings);
            }
        } catch (SQLException | IllegalStateException e) {
            // A database that cannot be reached, a child JVM that failed: say what, without a stack trace to dig through.
            out.println();
            PrintWriter err = spec.commandLine().getErr();
            err.println("resilient-demo: " + UrlMasking.mask(String.valueOf(e.getMessage())));
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                err.println("  caused by: " + UrlMasking.mask(String.valueOf(c)));
            }
            err.flush();
            return 1;
        } finally {
            driverLog.setLevel(level);
        }
        out.println();
        out.print(Report.table(reports));
        ReportFiles.write(reportDir, settings, reports);
        out.println();
        out.println("Reports: " + reportDir.resolve("resilient-demo-report.html").toAbsolutePath()
                + " (a chart per workload, raw beside resilient) and resilient-demo-report.json");
        return verdict(out, reports);
    }

    /** Everything the options ask for, checked before anything starts. */
    private record Plan(ExternalPg externalPg, String sqliteUrl, Set<Fault> faults, LedgerUnderFire.Agent agent) {
    }

    private Plan plan() {
        if (threads < 2 || threads > 64) {
            throw usage("--threads must be from 2 to 64, was " + threads);
        }
        if (duration.isZero() || duration.isNegative()) {
            throw usage("--duration must be positive, was " + format(duration));
        }
        if (warmUp != null && (warmUp.isNegative() || warmUp.compareTo(MAX_WARM_UP) > 0)) {
            throw usage("--warm-up must be from 0s to 5m (e.g. 500ms, 10s, 1m), was " + format(warmUp));
        }
        if (warmUp != null && (agent || noPostgres)) {
            throw usage("--warm-up is for the fault-free measurement of the PostgreSQL ledger in this JVM; it cannot go with "
                    + (agent ? "--agent" : "--no-postgres"));
        }
        ExternalPg externalPg = null;
        String sqliteUrl = null;
        if (url != null) {
            String u = url.trim();
            if (u.regionMatches(true, 0, "jdbc:postgresql:", 0, "jdbc:postgresql:".length())) {
                if (noPostgres) {
                    throw usage("--url names a PostgreSQL database but --no-postgres skips PostgreSQL");
                }
                try {
                    externalPg = ExternalPg.parse(u);
                } catch (IllegalArgumentException e) {
                    throw usage(e.getMessage());
                }
            } else if (u.regionMatches(true, 0, "jdbc:sqlite:", 0, "jdbc:sqlite:".length())) {
                String path = u.substring("jdbc:sqlite:".length());
                if (path.isBlank() || path.startsWith(":memory:") || path.contains("mode=memory")) {
                    throw usage("--url jdbc:sqlite: needs a file: the writers on both sides must share it, an in-memory database is"
                            + " one per connection");
                }
                if (noSqlite) {
                    throw usage("--url names an SQLite file but --no-sqlite skips SQLite");
                }
                sqliteUrl = u;
            } else {
                throw usage("--url accepts " + ExternalPg.ACCEPTED + "; was " + UrlMasking.mask(u));
            }
        }
        Set<Fault> possible = externalPg != null ? EnumSet.of(Fault.TERMINATE, Fault.CUT) : EnumSet.allOf(Fault.class);
        Set<Fault> chosen;
        try {
            chosen = faults != null ? Fault.parse(faults) : possible;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        EnumSet<Fault> impossible = EnumSet.noneOf(Fault.class);
        impossible.addAll(chosen);
        impossible.removeAll(possible);
        if (!impossible.isEmpty()) {
            throw usage("--faults " + Fault.names(impossible) + ": only the embedded server can be restarted or crashed;"
                    + " with --url jdbc:postgresql: the faults are " + Fault.names(possible));
        }
        LedgerUnderFire.Agent agentPlan = null;
        if (agentJar != null && !agent) {
            throw usage("--agent-jar is for --agent");
        }
        if (agent) {
            if (noPostgres) {
                throw usage("--agent runs the PostgreSQL ledger in child JVMs; it cannot go with --no-postgres");
            }
            agentPlan = new LedgerUnderFire.Agent(findAgentJar(), childClassPath());
        }
        return new Plan(externalPg, sqliteUrl, chosen, agentPlan);
    }

    private void postgres(Plan plan, PrintWriter out, List<Report> reports, Map<String, String> settings) throws Exception {
        PgTarget target;
        if (plan.externalPg() != null) {
            out.println("Connecting to " + UrlMasking.mask(url) + " ...");
            target = plan.externalPg().open();
            String notice = plan.externalPg().terminateNotice();
            if (notice != null && plan.faults().contains(Fault.TERMINATE)) {
                out.println("Notice: the terminate fault will be skipped: " + notice + ".");
            }
        } else {
            out.println("Starting an embedded PostgreSQL 17 ...");
            target = EmbeddedPg.start();
        }
        try (target) {
            out.println("PostgreSQL: " + target.label());
            settings.put("postgres", target.label());
            settings.put("faults", Fault.names(plan.faults()));
            settings.put("resilient ledger via", plan.agent() != null ? "-javaagent (child JVMs)" : "jdbc:resilient: URL");
            Duration ledgerTime = duration.multipliedBy(2);
            out.printf("Ledger under fire: %d clients transfer money in explicit transactions for %s per side; faults: %s.%n",
                    threads, format(ledgerTime), plan.faults().isEmpty() ? "none"
                            : plan.faults().stream().map(target::title).collect(Collectors.joining(", ")));
            if (plan.agent() != null) {
                out.println("The ledger runs as an unchanged app (plain jdbc:postgresql: URL) in a child JVM per side; the resilient side"
                        + " adds -javaagent:" + plan.agent().jar());
            }
            LedgerUnderFire ledger = new LedgerUnderFire(target, plan.faults(), threads, ledgerTime, out, plan.agent());
            Interleaved.Result interleaved = plan.agent() != null ? null : interleaved(ledger, ledgerTime, out, settings);
            reports.add(ledger.run("raw", false).interleaved(interleaved));
            reports.add(ledger.run("resilient", true).interleaved(interleaved));
            target.prepare();
            out.printf("Deadlock storm: %d threads update two rows in random order, %s per side.%n", threads, format(duration));
            DeadlockStorm storm = new DeadlockStorm(threads, duration);
            reports.add(storm.run("raw", target.deadlockUrl(), false));
            reports.add(storm.run("resilient", target.deadlockUrl(), true));
        }
    }

    /**
     * The ledger fault-free with the sides taking turns, as long as one side's run under fire, in slices of
     * {@link #SLICE}: what resilient-jdbc costs a healthy application, with load drift shared by both sides.
     */
    private Interleaved.Result interleaved(LedgerUnderFire ledger, Duration measure, PrintWriter out, Map<String, String> settings)
            throws Exception {
        Duration warm = warmUp != null ? warmUp : DEFAULT_WARM_UP;
        int slices = (int) Math.max(4, measure.toNanos() / SLICE.toNanos() / 2 * 2) + 1; // odd: raw first and last
        settings.put("warm-up", format(warm));
        out.printf("Fault-free, sides alternating: %d clients per side, %s warm-up, then %d slices of %s (raw, resilient, ..., raw).%n",
                threads, format(warm), slices, format(SLICE));
        Interleaved.Result result = ledger.interleaved(warm, SLICE, slices);
        out.println("  " + result.line() + " (" + result.how() + ")");
        return result;
    }

    /** {@code --ha}: the ledger through a Patroni failover, or one line saying why not. */
    private void ha(PrintWriter out, List<Report> reports, Map<String, String> settings) throws Exception {
        String unavailable = HaFailover.unavailable();
        if (unavailable != null) {
            out.println(unavailable);
            settings.put("ha", "skipped: Patroni not installed");
            return;
        }
        settings.put("ha", "Patroni 3 members, PostgreSQL 15, synchronous mode: leader killed, then a switchover");
        reports.addAll(new HaFailover(threads, duration, out, true).run());
    }

    private void sqlite(Plan plan, PrintWriter out, List<Report> reports, Map<String, String> settings) throws Exception {
        Path dir = plan.sqliteUrl() == null ? Files.createTempDirectory("resilient-demo") : null;
        try {
            boolean ledger = sqliteLedger || plan.sqliteUrl() != null;
            settings.put("sqlite", plan.sqliteUrl() != null ? UrlMasking.mask(plan.sqliteUrl()) : "temporary files");
            if (ledger) {
                out.printf("SQLite ledger: %d clients transfer money with busy_timeout=0, %s per side.%n", threads, format(duration));
                SqliteLedger run = new SqliteLedger(threads, duration);
                String params = "busy_timeout=0&journal_mode=WAL";
                reports.add(run.run("raw", ExternalPg.withParams(sqliteFile(plan, dir, "ledger-raw.db"), params), false));
                reports.add(run.run("resilient", ExternalPg.withParams(sqliteFile(plan, dir, "ledger-resilient.db"), params), true));
            }
            out.printf("SQLite busy storm: %d threads insert into one file with busy_timeout=0, %s per side.%n", threads, format(duration));
            SqliteBusyStorm storm = new SqliteBusyStorm(threads, duration);
            reports.add(storm.run("raw", ExternalPg.withParams(sqliteFile(plan, dir, "raw.db"), "busy_timeout=0"), false, ""));
            // On the demo's own file only: backups while the writers run, then the file damaged and reopened.
            Path backups = dir != null ? dir.resolve("backups") : null;
            reports.add(storm.run("resilient", ExternalPg.withParams(sqliteFile(plan, dir, "resilient.db"), "busy_timeout=0"), true,
                    "&resilient.retry.maxAttempts=100" + (backups != null ? SqliteDamage.backupOptions(backups) : "")));
            if (backups != null) {
                SqliteDamage.run(out, dir.resolve("resilient.db"), backups);
            }
        } finally {
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** The user's file for both sides, or a fresh temporary file per side. */
    private static String sqliteFile(Plan plan, Path dir, String name) {
        return plan.sqliteUrl() != null ? plan.sqliteUrl() : "jdbc:sqlite:" + dir.resolve(name);
    }

    private static int verdict(PrintWriter out, List<Report> reports) {
        Verdict v = Verdict.of(reports);
        out.printf("raw driver: %d errors reached the application.%n", v.rawErrors());
        out.printf("resilient-jdbc: %d errors reached the application%s; every acknowledged write landed exactly once: %s.%n",
                v.resilientErrors(), v.resilientErrors() == 0 ? "" : " (only 40001 replay divergence or 08007 unknown outcome are expected)",
                v.landedOnce() ? "yes" : "NO");
        if (!v.unexpected().isEmpty()) {
            out.println("UNEXPECTED errors on the resilient side: " + v.unexpected());
        }
        out.flush();
        return v.ok() ? 0 : 1;
    }

    /**
     * The agent jar: the one given, else in agent/target of the current directory or of its parent, else next to the
     * demo jar's.
     */
    private Path findAgentJar() {
        if (agentJar != null) {
            Path p = agentJar.toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                throw usage("--agent-jar: no file at " + p);
            }
            return p;
        }
        Set<Path> tried = new LinkedHashSet<>();
        tried.add(Path.of("agent", "target", "resilient-agent.jar").toAbsolutePath().normalize());
        // Run from a module of the checkout (the testkit's tests run there, the demo then coming from ~/.m2).
        tried.add(Path.of("..", "agent", "target", "resilient-agent.jar").toAbsolutePath().normalize());
        Path home = codeSource();
        if (home != null) {
            // demo/target/resilient-demo.jar (or demo/target/classes) → ../../agent/target/
            tried.add(home.getParent().resolve("../../agent/target/resilient-agent.jar").normalize());
        }
        for (Path p : tried) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw usage("--agent needs the java agent jar and found none at " + tried.stream().map(Path::toString)
                .collect(Collectors.joining(" or ")) + "; build it with `mvn -q -B -DskipTests package` or give --agent-jar PATH");
    }

    /**
     * The class path of the child JVMs: the shaded demo jar when this runs from it (it holds the ledger app
     * and the real drivers), else this JVM's — also when the demo's classes come from the module's thin jar,
     * as on the testkit's test class path under {@code mvn verify}.
     */
    private static String childClassPath() {
        Path home = codeSource();
        boolean shaded = home != null && Files.isRegularFile(home) && home.equals(codeSource(org.postgresql.Driver.class));
        return shaded ? home.toString() : System.getProperty("java.class.path");
    }

    private static Path codeSource() {
        return codeSource(DemoMain.class);
    }

    private static Path codeSource(Class<?> type) {
        try {
            var source = type.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code jdbc:x:...} → {@code jdbc:resilient:x:...}. */
    static String resilient(String plainUrl) {
        return "jdbc:resilient:" + plainUrl.substring("jdbc:".length());
    }

    /** In the unit the options take it in: whole minutes as 2m (a --warm-up of 6m is not echoed as 360s). */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms != 0) {
            return d.toMinutes() + "m";
        }
        return ms % 1000 == 0 ? d.toSeconds() + "s" : ms + "ms";
    }

    /** Accepts 5s, 500ms, 2m or plain milliseconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            try {
                if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                if (v.endsWith("s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
                if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                return Duration.ofMillis(Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use e.g. 500ms, 5s or 2m");
            }
        }
    }
}
