package dev.resilientjdbc.it.agent;

import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.it.legacy.DriverManagerApp;
import dev.resilientjdbc.it.legacy.HikariApp;
import dev.resilientjdbc.it.legacy.IsolatedDriverApp;
import dev.resilientjdbc.it.legacy.PgDataSourceApp;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Unchanged legacy apps in a child JVM, while the test restarts the real PostgreSQL 17 twice and
 * terminates every client backend once. Without the agent the app sees errors (the faults are
 * real); with {@code -javaagent:resilient-agent.jar} it sees none, and no insert is lost or applied
 * twice. On JDK 17 (the build's) and on JDK 25 when it is installed.
 */
@PgTest
@PgSettings(crashSafe = true)
class LegacyAppAgentTest {
    private static final int MIN_OPS = 200;
    private static final Duration STEP = Duration.ofSeconds(90);
    private static PgServer pg;

    enum App {
        DRIVER_MANAGER(DriverManagerApp.class),
        HIKARI(HikariApp.class),
        PG_DATA_SOURCE(PgDataSourceApp.class),
        OWN_CLASS_LOADER(IsolatedDriverApp.class);

        final String main;

        App(Class<?> main) {
            this.main = main.getName();
        }
    }

    @BeforeAll
    static void server(PgServer server) throws SQLException {
        pg = server;
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            // No key constraint on purpose: an insert applied twice must show up as two rows, not as an error.
            s.execute("CREATE TABLE IF NOT EXISTS legacy_ops(k text NOT NULL, run text NOT NULL)");
        }
    }

    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (String jdk : List.of("17", "25")) {
            for (App app : App.values()) {
                out.add(Arguments.of(jdk, app));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "JDK {0}, {1}: with the agent the app sees no error")
    @MethodSource("runs")
    void agentHidesRestartsAndTerminations(String jdk, App app) throws Exception {
        String java = java(jdk);
        String run = "agent-" + jdk + "-" + app.name().toLowerCase();
        try (ChildJvm child = startApp(java, List.of(AgentJvm.agentArg("resilient.connect.maxDuration=60s")), app, run)) {
            Summary s = runWithFaults(child);
            System.out.println("with agent    JDK " + jdk + " " + app + ": " + s);
            assertEquals(0, s.errors(), "errors reached the app through the agent; first: " + s.firstError());
            assertTrue(s.ok() + s.unknown() >= MIN_OPS, "too few operations: " + s);
            long agentLines = child.stderr().stream().filter(l -> l.startsWith("resilient-agent")).count();
            assertEquals(1, agentLines, "the agent says what it instruments in exactly one line: " + child.stderr());
            checkRows(run, s);
        }
    }

    @ParameterizedTest(name = "JDK {0}, {1}: without the agent the same faults reach the app")
    @MethodSource("runs")
    void withoutTheAgentTheFaultsAreReal(String jdk, App app) throws Exception {
        String java = java(jdk);
        String run = "raw-" + jdk + "-" + app.name().toLowerCase();
        try (ChildJvm child = startApp(java, List.of(), app, run)) {
            Summary s = runWithFaults(child);
            System.out.println("without agent JDK " + jdk + " " + app + ": " + s);
            assertTrue(s.errors() > 0, "the raw app saw no error, so the faults were not real: " + s);
        }
    }

    @org.junit.jupiter.api.Test
    void anApplicationWithItsOwnOlderHikariKeepsWorking() throws Exception {
        java.nio.file.Path older = java.nio.file.Path.of("target", "other-hikari", "HikariCP-5.1.0.jar").toAbsolutePath();
        assertTrue(java.nio.file.Files.exists(older), "the build copies HikariCP 5.1.0 to " + older);
        StringBuilder cp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.contains("HikariCP")) {
                cp.append(entry).append(java.io.File.pathSeparator);
            }
        }
        cp.append(older);
        String run = "agent-own-hikari";
        String url = pg.jdbcUrl() + "?user=" + pg.user();
        try (ChildJvm child = ChildJvm.startWithClassPath(AgentJvm.JDK17, java.util.Map.of(),
                List.of(AgentJvm.agentArg("resilient.connect.maxDuration=60s")), cp.toString(), App.HIKARI.main,
                url, run, String.valueOf(MIN_OPS))) {
            String hikari = child.awaitLine(l -> l.startsWith("HIKARI "), STEP, "HIKARI");
            assertTrue(hikari.endsWith("HikariCP-5.1.0.jar"), "the application runs its own HikariCP: " + hikari);
            Summary s = runWithFaults(child);
            System.out.println("with agent, app's own HikariCP 5.1.0: " + s);
            assertEquals(0, s.errors(), "errors reached the app; first: " + s.firstError());
            checkRows(run, s);
        }
    }

    private static String java(String jdk) {
        if (jdk.equals("25")) {
            assumeTrue(AgentJvm.jdk25Available(), "JDK 25 not installed at " + AgentJvm.JDK25_HOME);
            return AgentJvm.jdk25();
        }
        return AgentJvm.JDK17;
    }

    private static ChildJvm startApp(String java, List<String> jvmArgs, App app, String run) throws Exception {
        String url = pg.jdbcUrl() + "?user=" + pg.user();
        List<String> args = new ArrayList<>(List.of(url, run, String.valueOf(MIN_OPS)));
        if (app == App.OWN_CLASS_LOADER) {
            args.add(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        }
        return ChildJvm.start(java, jvmArgs, app.main, args.toArray(new String[0]));
    }

    /** READY, restart, terminate all backends, restart — each fault once the app has made progress — then FINISH. */
    private static Summary runWithFaults(ChildJvm child) throws Exception {
        child.awaitLine("READY"::equals, STEP, "READY");
        pg.restart();
        AgentJvm.awaitProgress(child, 20, STEP);
        pg.terminateAllClientBackends();
        AgentJvm.awaitProgress(child, 20, STEP);
        pg.restart();
        AgentJvm.awaitProgress(child, 20, STEP);
        child.send("FINISH");
        String line = child.awaitLine(l -> l.startsWith("SUMMARY "), STEP, "SUMMARY");
        assertEquals(0, child.awaitExit(STEP), "the app exits cleanly; stderr: " + child.stderr());
        return Summary.parse(line);
    }

    /** Every acknowledged insert is there once; an unknown outcome (08007) is there at most once. */
    private static void checkRows(String run, Summary s) throws SQLException {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT k) FROM legacy_ops WHERE run = '" + run + "'")) {
            rs.next();
            long rows = rs.getLong(1);
            long distinct = rs.getLong(2);
            assertEquals(distinct, rows, "an insert was applied twice");
            assertTrue(rows >= s.inserted() && rows <= s.inserted() + s.unknown(),
                    "rows " + rows + " do not match acknowledged inserts " + s.inserted() + " (+ " + s.unknown() + " unknown)");
        }
    }
}
