package dev.resilientjdbc.testkit.demo;

import dev.resilientjdbc.testkit.chaos.ChaosProxy;
import dev.resilientjdbc.testkit.pg.PgServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The demo: the same workloads through the raw driver and through resilient-jdbc, against an
 * embedded PostgreSQL 17 and an SQLite file, with real faults — deadlocks between concurrent
 * writers and SQLITE_BUSY between concurrent writers — and a table of what each side saw.
 */
@Command(name = "resilient-demo", mixinStandardHelpOptions = true, version = "resilient-demo 0.1",
        description = "Runs workloads side by side through the raw JDBC driver and through resilient-jdbc,"
                + " with real faults, and prints what the application saw on each side.")
public final class DemoMain implements Callable<Integer> {

    @Option(names = "--duration", description = "how long each workload runs per side (default: ${DEFAULT-VALUE})",
            defaultValue = "4s", converter = DurationConverter.class)
    Duration duration;

    @Option(names = "--threads", description = "client threads per workload (default: ${DEFAULT-VALUE})", defaultValue = "6")
    int threads;

    @Option(names = "--no-postgres", description = "skip the embedded PostgreSQL workload")
    boolean noPostgres;

    @Option(names = "--no-sqlite", description = "skip the SQLite workload")
    boolean noSqlite;

    @Option(names = "--sqlite", description = "also run the bank ledger on an SQLite file (no busy wait) instead of only the busy writers")
    boolean sqliteLedger;

    @Option(names = "--report-dir", description = "where the JSON and HTML reports go (default: ${DEFAULT-VALUE})",
            defaultValue = "resilient-demo-report")
    java.nio.file.Path reportDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (threads < 2 || threads > 64) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--threads must be from 2 to 64, was " + threads);
        }
        List<Report> reports = new ArrayList<>();
        if (!noPostgres) {
            System.out.println("Starting an embedded PostgreSQL 17 ...");
            // Crash-safe: with fsync and synchronous commit off, a crash loses acknowledged commits whatever any driver does.
            try (PgServer pg = PgServer.builder().crashSafe(true).build(); ChaosProxy proxy = ChaosProxy.start("127.0.0.1", startedPort(pg))) {
                System.out.printf("PostgreSQL is up on port %d (chaos proxy on %d).%n", pg.port(), proxy.port());
                System.out.printf("Ledger under fire: %d clients transfer money in explicit transactions for %s per side, while"
                        + " backends are terminated, the server restarts, crashes and restarts, and the network is cut.%n",
                        threads, format(duration.multipliedBy(2)));
                LedgerUnderFire ledger = new LedgerUnderFire(pg, proxy, threads, duration.multipliedBy(2));
                reports.add(ledger.run("raw", false));
                reports.add(ledger.run("resilient", true));
                System.out.printf("Deadlock storm: %d threads update two rows in random order, %s per side.%n", threads, format(duration));
                String raw = pg.jdbcUrl() + "?user=postgres&options=-c%20deadlock_timeout%3D50ms";
                DeadlockStorm storm = new DeadlockStorm(threads, duration);
                reports.add(storm.run("PostgreSQL deadlocks", "raw", raw));
                reports.add(storm.run("PostgreSQL deadlocks", "resilient", raw.replace("jdbc:", "jdbc:resilient:")));
            }
        }
        if (!noSqlite) {
            Path dir = Files.createTempDirectory("resilient-demo");
            try {
                System.out.printf("SQLite busy storm: %d threads insert into one file with busy_timeout=0, %s per side.%n",
                        threads, format(duration));
                if (sqliteLedger) {
                    SqliteLedger ledger = new SqliteLedger(threads, duration);
                    reports.add(ledger.run("raw", "jdbc:sqlite:" + dir.resolve("ledger-raw.db") + "?busy_timeout=0&journal_mode=WAL", false));
                    reports.add(ledger.run("resilient", "jdbc:sqlite:" + dir.resolve("ledger-resilient.db")
                            + "?busy_timeout=0&journal_mode=WAL", true));
                }
                SqliteBusyStorm storm = new SqliteBusyStorm(threads, duration);
                reports.add(storm.run("SQLite busy writers", "raw", "jdbc:sqlite:" + dir.resolve("raw.db") + "?busy_timeout=0"));
                reports.add(storm.run("SQLite busy writers", "resilient",
                        "jdbc:resilient:sqlite:" + dir.resolve("resilient.db") + "?busy_timeout=0&resilient.retry.maxAttempts=100"));
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
        System.out.println();
        System.out.print(Report.table(reports));
        ReportFiles.write(reportDir, reports);
        System.out.println("Reports: " + reportDir.resolve("resilient-demo-report.html").toAbsolutePath()
                + " (timeline chart) and resilient-demo-report.json");
        boolean consistent = reports.stream().filter(r -> r.side.equals("resilient")).allMatch(r -> r.consistent);
        long errors = reports.stream().filter(r -> r.side.equals("resilient")).mapToLong(r -> r.errors).sum();
        long rawErrors = reports.stream().filter(r -> r.side.equals("raw")).mapToLong(r -> r.errors).sum();
        System.out.printf("raw driver: %d errors reached the application.%n", rawErrors);
        System.out.printf("resilient-jdbc: %d errors reached the application%s; every acknowledged write landed exactly once: %s.%n",
                errors, errors == 0 ? "" : " (only 40001 replay divergence or 08007 unknown outcome are possible)",
                consistent ? "yes" : "NO");
        return consistent ? 0 : 1;
    }

    private static int startedPort(PgServer pg) {
        pg.start();
        return pg.port();
    }

    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
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
