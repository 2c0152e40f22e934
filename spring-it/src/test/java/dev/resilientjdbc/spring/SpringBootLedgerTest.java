package dev.resilientjdbc.spring;

import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.proxy.ResilientProxy;
import dev.resilientjdbc.spring.app.Ledger;
import dev.resilientjdbc.spring.app.LedgerApplication;
import dev.resilientjdbc.spring.app.Workload;
import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.context.ConfigurableApplicationContext;

import javax.sql.DataSource;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spring Boot 4 application ({@link LedgerApplication}: Boot's HikariCP, {@code JdbcTemplate}, {@code @Transactional}
 * transfers on four threads, Actuator health) against the embedded PostgreSQL while the server is restarted, every
 * client backend terminated, and the server restarted again: once in this JVM with
 * {@code spring.datasource.url=jdbc:resilient:postgresql://...} (plus the driver class, which Boot cannot infer from
 * that URL), once in a child JVM with a plain {@code jdbc:postgresql:} URL under {@code -javaagent:}. The application
 * sees no error; the faults hit (another postmaster, backends terminated, reconnects counted); the ledger in the
 * database holds every acknowledged transfer once, nothing else, and balances that add up.
 */
@PgTest
class SpringBootLedgerTest {
    private static final Duration STEP = Duration.ofSeconds(90);
    private static final int PROGRESS = 40;
    private static PgServer pg;
    private static ConfigurableApplicationContext boot;

    @BeforeAll
    static void startBoot(PgServer server) {
        pg = server;
        boot = LedgerApplication.start(
                // The two lines a user adds:
                "--spring.datasource.url=" + resilientUrl(),
                "--spring.datasource.driver-class-name=dev.resilientjdbc.ResilientDriver",
                "--spring.datasource.username=" + pg.user(),
                "--management.endpoint.health.show-details=always");
    }

    @AfterAll
    static void closeBootLeavesNoThreadOfOurs() throws InterruptedException {
        if (boot == null) {
            return;
        }
        boot.close();
        // Pool threads end asynchronously after close(): wait for that, bounded.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> ours = ourThreads();
        while (!ours.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            ours = ourThreads();
        }
        assertTrue(ours.isEmpty(), "threads left after the Boot context closed: " + ours);
    }

    private static List<String> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("resilient") || n.contains("HikariPool") || n.startsWith("ledger-app"))
                .collect(Collectors.toList());
    }

    private static String resilientUrl() {
        return "jdbc:resilient:" + pg.jdbcUrl().substring("jdbc:".length());
    }

    @Test
    void bootOverTheResilientUrlPassesRestartsWithoutAnError() throws Exception {
        DataSource ds = boot.getBean(DataSource.class);
        HikariDataSource hikari = assertInstanceOf(HikariDataSource.class, ds, "Boot's own auto-configured HikariCP");
        assertEquals("dev.resilientjdbc.ResilientDriver", hikari.getDriverClassName());
        // Boot's URL-based detection does not know jdbc:resilient: (hence the driver class line); the metadata it
        // reads everywhere else says PostgreSQL, through our proxies.
        assertEquals(DatabaseDriver.UNKNOWN, DatabaseDriver.fromJdbcUrl(resilientUrl()));
        try (Connection c = ds.getConnection()) {
            assertEquals(DatabaseDriver.POSTGRESQL, DatabaseDriver.fromProductName(c.getMetaData().getDatabaseProductName()));
            assertTrue(c.isWrapperFor(ResilientProxy.class), "resilience sits under Boot's HikariCP");
        }
        assertEquals("postgresql embedded=false", LedgerApplication.platform(boot), "Boot's SQL-init platform detection");
        assertEquals("UP PostgreSQL", LedgerApplication.dbHealth(boot), "Actuator's db health");

        String run = "url";
        Ledger ledger = boot.getBean(Ledger.class);
        ledger.setUp(run, LedgerApplication.ACCOUNTS, LedgerApplication.INITIAL_BALANCE);
        long reconnects0 = reconnectsInThisJvm();
        Workload workload = new Workload(ledger, run, LedgerApplication.ACCOUNTS, LedgerApplication.THREADS, n -> { });
        long started = System.nanoTime();
        workload.start();
        Workload.Result r;
        try {
            faults(() -> workload.awaitMore(PROGRESS, STEP));
        } finally {
            r = workload.stop();
        }
        long reconnects = reconnectsInThisJvm() - reconnects0;
        System.out.printf("Boot over jdbc:resilient: %s, reconnects %d, %d ms%n", r.format(), reconnects,
                (System.nanoTime() - started) / 1_000_000);
        assertEquals(0, r.errors(), "errors reached the application; first: " + r.firstError());
        assertTrue(reconnects >= 1, "the driver counted no reconnect, so the faults did not reach it");
        checkLedger(run, r);
        assertEquals("UP PostgreSQL", LedgerApplication.dbHealth(boot), "Actuator's db health after the faults");
    }

    @Test
    void bootWithAPlainUrlUnderTheAgentPassesRestartsWithoutAnError() throws Exception {
        int httpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        String run = "agent";
        String agent = "-javaagent:" + agentJar() + "=resilient.connect.maxDuration=60s,resilient.http.port=" + httpPort;
        try (ChildJvm child = ChildJvm.builder(LedgerApplication.class.getName())
                .classPath(classPathWithoutTheDriver())
                .jvmArgs(List.of(agent))
                .args("--spring.datasource.url=" + pg.jdbcUrl(),
                        "--spring.datasource.username=" + pg.user(),
                        "--management.endpoint.health.show-details=always",
                        "--ledger.run=" + run)
                .stdoutHook(l -> l.startsWith("OPS ") && !ops(l))
                .stderrTail(200)
                .start()) {
            child.awaitLine("READY"::equals, STEP, "READY");
            assertTrue(child.stdout().contains("PLATFORM postgresql embedded=false"), "Boot's platform detection: " + child.stdout());
            faults(() -> awaitChildProgress(child, PROGRESS));
            long reconnects = agentReconnects(httpPort);
            child.send("FINISH");
            Workload.Result r = Workload.Result.parse(child.awaitLine(l -> l.startsWith("SUMMARY "), STEP, "SUMMARY"));
            String health = child.awaitLine(l -> l.startsWith("HEALTH "), STEP, "HEALTH");
            assertEquals(0, child.awaitExit(STEP), "the application exits on its own (no thread keeps it); stderr: " + child.stderr());
            System.out.printf("Boot with jdbc:postgresql: under the agent: %s, reconnects %d%n", r.format(), reconnects);
            assertEquals(0, r.errors(), "errors reached the application through the agent; first: " + r.firstError());
            assertTrue(reconnects >= 1, "the agent counted no reconnect, so the faults did not reach it");
            assertEquals("HEALTH UP PostgreSQL", health, "Actuator's db health after the faults");
            assertTrue(child.stdout().contains("CLOSED"));
            assertFalse(child.stderr().stream().anyMatch(l -> l.contains("SLF4J(")), "no SLF4J warning: " + child.stderr());
            checkLedger(run, r);
        }
    }

    @Test
    void theResilientUrlAloneIsNotEnoughForBoot() {
        // What a user meets without the driver-class-name line: Boot infers driver classes from URL prefixes only.
        Exception e = assertThrows(Exception.class, () -> LedgerApplication.start(
                "--spring.datasource.url=" + resilientUrl(), "--spring.datasource.username=" + pg.user(),
                "--spring.main.register-shutdown-hook=false").close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("Failed to determine a suitable driver class"), messages.toString());
    }

    // ---------------------------------------------------------------- the faults and what they must leave

    private interface Progress {
        void await() throws Exception;
    }

    /** After progress: restart, terminate every client backend, restart — each followed by more progress. */
    private static void faults(Progress progress) throws Exception {
        progress.await();
        long pid = pg.postmasterPid();
        pg.restart();
        assertNotEquals(pid, pg.postmasterPid(), "a new postmaster after the restart");
        progress.await();
        int terminated = pg.terminateAllClientBackends();
        assertTrue(terminated >= 1, "the application had backends to terminate");
        progress.await();
        pid = pg.postmasterPid();
        pg.restart();
        assertNotEquals(pid, pg.postmasterPid(), "a new postmaster after the second restart");
        progress.await();
    }

    /** Nothing acknowledged lost, nothing applied twice, nothing unacknowledged applied, and the money adds up. */
    private static void checkLedger(String run, Workload.Result r) throws SQLException {
        assertEquals(r.attempted(), r.acked(), "with no error every attempted transfer was acknowledged");
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id), coalesce(min(id), 0), coalesce(max(id), 0)"
                    + " FROM transfers WHERE run = '" + run + "'")) {
                rs.next();
                assertEquals(rs.getLong(2), rs.getLong(1), "a transfer was applied twice");
                assertEquals(r.acked(), rs.getLong(1), "journal rows vs acknowledged transfers");
                assertEquals(1, rs.getLong(3));
                assertEquals(r.attempted(), rs.getLong(4), "ids 1.." + r.attempted() + ", each once");
            }
            try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM accounts WHERE run = '" + run + "'")) {
                rs.next();
                assertEquals(LedgerApplication.ACCOUNTS * LedgerApplication.INITIAL_BALANCE, rs.getLong(1), "money was created or lost");
            }
            try (ResultSet rs = s.executeQuery("SELECT a.id, a.balance - " + LedgerApplication.INITIAL_BALANCE
                    + " - coalesce((SELECT sum(amount) FROM transfers t WHERE t.run = a.run AND t.dst = a.id), 0)"
                    + " + coalesce((SELECT sum(amount) FROM transfers t WHERE t.run = a.run AND t.src = a.id), 0)"
                    + " FROM accounts a WHERE a.run = '" + run + "'")) {
                int accounts = 0;
                while (rs.next()) {
                    accounts++;
                    assertEquals(0, rs.getLong(2), "account " + rs.getInt(1) + "'s balance disagrees with the journal");
                }
                assertEquals(LedgerApplication.ACCOUNTS, accounts);
            }
        }
    }

    private static long reconnectsInThisJvm() {
        return com.codahale.metrics.SharedMetricRegistries.getOrCreate("resilient-jdbc").getGauges(
                (name, m) -> name.endsWith(".reconnect.count")).values().stream()
                .mapToLong(g -> ((Number) g.getValue()).longValue()).sum();
    }

    /** The agent's reconnect count from its own Prometheus endpoint ({@code resilient.http.port}). */
    private static long agentReconnects(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        long sum = 0;
        int series = 0;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("#") && line.contains("_reconnect_count ")) {
                series++;
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertTrue(series >= 1, "the agent publishes a reconnect count: " + r.body().lines().limit(20).toList());
        return sum;
    }

    // ---------------------------------------------------------------- the child JVM

    private static final Object CHILD_OPS = new Object();
    private static long childOps;

    /** Takes a child's {@code OPS n} line into {@link #childOps}. */
    private static boolean ops(String line) {
        synchronized (CHILD_OPS) {
            childOps = Math.max(childOps, Long.parseLong(line.substring(4).trim()));
            CHILD_OPS.notifyAll();
        }
        return true;
    }

    private static void awaitChildProgress(ChildJvm child, long more) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        synchronized (CHILD_OPS) {
            long target = childOps + more;
            while (childOps < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !child.isAlive()) {
                    throw new IllegalStateException("the child did " + childOps + " of " + target + " operations; stderr: "
                            + child.stderr());
                }
                CHILD_OPS.wait(Math.min(1_000, Math.max(1, left / 1_000_000)));
            }
        }
    }

    /** This JVM's class path without our driver: the agent's application has only pgjdbc. */
    private static String classPathWithoutTheDriver() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.replace('\\', '/').endsWith("driver/target/classes") && !entry.contains("resilient-jdbc-")) {
                out.add(entry);
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static Path agentJar() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("agent/target/resilient-agent.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("agent/target/resilient-agent.jar not found: package the agent module first");
    }
}
