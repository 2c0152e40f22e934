package dev.resilientjdbc.it.demo;

import dev.resilientjdbc.it.browser.HeadlessChromium;
import dev.resilientjdbc.demo.DemoMain;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo run in this JVM through picocli, with short runs: every mode ends with exit code 0,
 * reports that parse, a resilient side that lost and duplicated nothing and saw only 40001/08007,
 * and a raw side that saw the faults (so they were real). Usage errors end with 2 and say why.
 */
@PgTest
class DemoMainTest {
    private static final String SECRET = "s3cret-demo-pw";
    private static final Set<String> RESILIENT_MAY_SEE = Set.of("40001", "08007");
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) throws Exception {
        pg = server;
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            // Two users of an "external" server, each with a database: one with a password, one not allowed to end sessions.
            s.execute("CREATE ROLE demo_ok LOGIN PASSWORD '" + SECRET + "'");
            s.execute("CREATE ROLE demo_denied LOGIN");
            s.execute("CREATE DATABASE demo_ok OWNER demo_ok");
            s.execute("CREATE DATABASE demo_denied OWNER demo_denied");
        }
        // Function privileges live in each database's own catalog.
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/demo_denied?user=" + pg.user());
             Statement s = c.createStatement()) {
            s.execute("REVOKE EXECUTE ON FUNCTION pg_terminate_backend(integer, bigint) FROM PUBLIC");
        }
    }

    private record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private static Run demo(String... args) {
        CommandLine cmd = DemoMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void embeddedRunHidesEveryFaultAndWritesReports(@TempDir Path dir) throws Exception {
        // 2 s: the ledger runs 4 s, its first fault at 0.6 s, after two progress samples (the fault-free figure's).
        Run run = demo("--duration", "2s", "--threads", "3", "--warm-up", "500ms", "--report-dir", dir.toString());
        assertEquals(0, run.exit(), run.toString());
        List<Map<String, Object>> runs = runs(dir);
        assertSides(runs, "PostgreSQL ledger", "PostgreSQL deadlocks", "SQLite busy writers");
        assertResilientClean(runs);
        Map<String, Object> rawLedger = find(runs, "PostgreSQL ledger", "raw");
        assertTrue(num(rawLedger, "errors") > 0, "the raw ledger saw no error, so the faults were not real: " + rawLedger);
        assertEquals(4, ((List<?>) rawLedger.get("faults")).size(), "all four faults struck: " + rawLedger.get("faults"));
        Map<String, Object> recovery = obj(find(runs, "PostgreSQL ledger", "resilient").get("recovery"));
        assertTrue(((Number) recovery.get("reconnects")).longValue() > 0, "the resilient side reconnected: " + recovery);
        for (String side : List.of("raw", "resilient")) {
            assertTrue(find(runs, "PostgreSQL ledger", side).get("faultFreePerSecond") instanceof Number,
                    "the ledger's throughput before the first fault, " + side + " side");
        }
        assertTrue(run.out().contains("PostgreSQL ledger before the first fault: raw "), run.out());
        // Before the faults, the sides took turns: 4 s of ledger time in 500 ms slices, raw first and last, after the warm-up.
        for (String side : List.of("raw", "resilient")) {
            Map<String, Object> ledger = find(runs, "PostgreSQL ledger", side);
            assertTrue(num(ledger, "interleavedPerSecond") > 0, "the " + side + " side committed in its turns: " + ledger);
            assertEquals(side.equals("raw") ? 5L : 4L, num(ledger, "interleavedSlices"), ledger.toString());
            assertEquals(500L, num(ledger, "interleavedWindowMs"), ledger.toString());
            assertEquals(500L, num(ledger, "interleavedWarmUpMs"), ledger.toString());
            assertTrue(ledger.get("interleavedRatio") instanceof Number, ledger.toString());
        }
        assertTrue(run.out().contains("PostgreSQL ledger fault-free, sides alternating: raw "), run.out());
        ReportPageCheck.assertTellsTheRun(dir);
        String html = Files.readString(dir.resolve("resilient-demo-report.html"));
        assertEquals(4, html.split("<line class=\"fault\" data-side=\"raw\"", -1).length - 1, "the four faults are on the ledger's chart");
        if (HeadlessChromium.installed()) {
            // For a person to open: the whole story of a run with every fault.
            HeadlessChromium.window(1280, 1700)
                    .screenshot(dir.resolve("resilient-demo-report.html").toUri().toString(), "demo-report-postgres.png");
        }
        assertTablesFit(run.out());
    }

    @Test
    void sqliteBackupsDuringTheBusyWritersRestoreTheDamagedFile(@TempDir Path dir) throws Exception {
        Run run = demo("--no-postgres", "--duration", "1500ms", "--threads", "3", "--report-dir", dir.toString());
        assertEquals(0, run.exit(), run.toString());
        String out = run.out();
        assertTrue(out.contains("SQLite damaged file: "), out);
        assertTrue(out.contains("raw driver:     [SQLITE_NOTADB]"), "the raw driver fails on the damaged file: " + out);
        assertTrue(out.matches("(?s).*resilient-jdbc: restored resilient\\.db-\\S+\\.db\\.gz .*, \\d+ rows in demo_rows.*"),
                "resilient-jdbc reads the same table from the restored file: " + out);
    }

    @Test
    void agentRunsTheUnchangedAppInChildJvms(@TempDir Path dir) throws Exception {
        Run run = demo("--agent", "--no-sqlite", "--duration", "1500ms", "--threads", "3", "--report-dir", dir.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("one resilient proxy over org.postgresql.jdbc.PgConnection"), run.out());
        List<Map<String, Object>> runs = runs(dir);
        assertSides(runs, "PostgreSQL ledger", "PostgreSQL deadlocks");
        assertResilientClean(runs);
        Map<String, Object> agentSide = find(runs, "PostgreSQL ledger", "resilient");
        assertEquals("-javaagent", agentSide.get("via"));
        assertTrue(num(agentSide, "succeeded") > 0, agentSide.toString());
        assertTrue(((Number) obj(agentSide.get("recovery")).get("reconnects")).longValue() > 0,
                "the agent's counters came back from the child: " + agentSide.get("recovery"));
        assertTrue(num(find(runs, "PostgreSQL ledger", "raw"), "errors") > 0, "the raw app saw the faults");
        ReportPageCheck.assertTellsTheRun(dir);
    }

    @Test
    void sqliteFileGivenWithUrl(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("demo.db");
        Run run = demo("--url", "jdbc:sqlite:" + db, "--no-postgres", "--duration", "1s", "--threads", "3",
                "--report-dir", dir.resolve("report").toString());
        assertEquals(0, run.exit(), run.toString());
        List<Map<String, Object>> runs = runs(dir.resolve("report"));
        assertSides(runs, "SQLite ledger", "SQLite busy writers");
        assertResilientClean(runs);
        ReportPageCheck.assertTellsTheRun(dir.resolve("report"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM ledger_accounts")) {
            rs.next();
            assertEquals(20, rs.getInt(1), "the ledger's tables are in the file the user gave");
        }
    }

    @Test
    void externalPostgresThroughTheProxyWithoutShowingThePassword(@TempDir Path dir) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/demo_ok?user=demo_ok&password=" + SECRET;
        Run run = demo("--url", url, "--no-sqlite", "--duration", "1s", "--threads", "3", "--report-dir", dir.toString());
        assertEquals(0, run.exit(), run.toString());
        assertFalse(run.out().contains(SECRET) || run.err().contains(SECRET), "the password was printed:\n" + run);
        assertFalse(Files.readString(dir.resolve("resilient-demo-report.json")).contains(SECRET), "the password is in the report");
        assertTrue(run.out().contains("password=***"), run.out());
        List<Map<String, Object>> runs = runs(dir);
        assertSides(runs, "PostgreSQL ledger", "PostgreSQL deadlocks");
        assertResilientClean(runs);
        Map<String, Object> raw = find(runs, "PostgreSQL ledger", "raw");
        assertEquals(List.of("terminate the demo's backends", "TCP path cut"),
                ((List<?>) raw.get("faults")).stream().map(f -> obj(f).get("name")).toList(), "only the faults made from outside");
        assertTrue(num(raw, "errors") > 0, "the raw side saw the terminations and cuts: " + raw);
        ReportPageCheck.assertTellsTheRun(dir);
    }

    @Test
    void externalUserWithoutTheRightToTerminateGetsANotice(@TempDir Path dir) {
        String url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/demo_denied?user=demo_denied";
        Run run = demo("--url", url, "--no-sqlite", "--faults", "terminate", "--duration", "500ms", "--threads", "2",
                "--report-dir", dir.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("terminate fault will be skipped: demo_denied may not execute pg_terminate_backend"), run.out());
        assertTrue(run.out().contains("terminate the demo's backends skipped"), run.out());
    }

    @Test
    void helpListsEveryOption() {
        Run run = demo("--help");
        assertEquals(0, run.exit(), run.toString());
        for (OptionSpec option : DemoMain.commandLine().getCommandSpec().options()) {
            for (String name : option.names()) {
                assertTrue(run.out().contains(name), "--help does not mention " + name + ":\n" + run.out());
            }
        }
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of("--faults", "terminate,boom"), "'boom' is not a fault; give a comma-separated list of terminate, restart, crash, cut, or none"),
                Arguments.of(List.of("--faults", ""), "'' is not a fault"),
                Arguments.of(List.of("--url", "jdbc:mysql://db/app?user=x&password=" + SECRET),
                        "--url accepts jdbc:postgresql://host[:port]/database[?parameters] or jdbc:sqlite:PATH; was jdbc:mysql://db/app?user=x&password=***"),
                Arguments.of(List.of("--url", "jdbc:postgresql://a:1,b:2/app"), "several hosts"),
                Arguments.of(List.of("--url", "jdbc:sqlite::memory:"), "needs a file"),
                Arguments.of(List.of("--url", "jdbc:postgresql://db/app", "--faults", "restart,cut"), "--faults restart: only the embedded server"),
                Arguments.of(List.of("--threads", "1"), "--threads must be from 2 to 64, was 1"),
                Arguments.of(List.of("--threads", "65"), "--threads must be from 2 to 64, was 65"),
                Arguments.of(List.of("--threads", "many"), "'many' is not an int"),
                Arguments.of(List.of("--duration", "soon"), "'soon' is not a duration"),
                Arguments.of(List.of("--agent", "--agent-jar", "/no/such/resilient-agent.jar"), "--agent-jar: no file at /no/such/resilient-agent.jar"),
                Arguments.of(List.of("--agent", "--no-postgres"), "cannot go with --no-postgres"),
                Arguments.of(List.of("--warm-up", "soon"), "'soon' is not a duration: use e.g. 500ms, 5s or 2m"),
                Arguments.of(List.of("--warm-up", "-1s"), "--warm-up must be from 0s to 5m (e.g. 500ms, 10s, 1m), was -1s"),
                Arguments.of(List.of("--warm-up", "6m"), "--warm-up must be from 0s to 5m (e.g. 500ms, 10s, 1m), was 6m"),
                Arguments.of(List.of("--warm-up", "1s", "--no-postgres"), "--warm-up is for the fault-free measurement of the PostgreSQL"
                        + " ledger in this JVM; it cannot go with --no-postgres"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageErrors")
    void usageErrorsExitWith2AndSayWhy(List<String> args, String message) {
        Run run = demo(args.toArray(new String[0]));
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().contains(message), "expected '" + message + "' in:\n" + run.err());
        assertFalse(run.err().contains(SECRET), "the password was printed: " + run.err());
        assertTrue(run.out().isEmpty(), "nothing ran: " + run.out());
    }

    // ---------------------------------------------------------------- checks

    private static void assertSides(List<Map<String, Object>> runs, String... workloads) {
        List<String> seen = runs.stream().map(r -> r.get("workload") + "/" + r.get("side")).toList();
        for (String w : workloads) {
            for (String side : List.of("raw", "resilient")) {
                assertTrue(seen.contains(w + "/" + side), w + "/" + side + " missing from the report: " + seen);
            }
        }
    }

    private static void assertResilientClean(List<Map<String, Object>> runs) {
        for (Map<String, Object> r : runs) {
            if (!r.get("side").equals("resilient")) {
                continue;
            }
            assertEquals(0L, num(r, "lost"), "lost commits: " + r);
            assertEquals(0L, num(r, "duplicated"), "duplicated commits: " + r);
            assertEquals(Boolean.TRUE, r.get("consistent"), r.toString());
            for (String state : obj(r.get("errorsByState")).keySet()) {
                assertTrue(RESILIENT_MAY_SEE.contains(state), "the resilient side saw " + state + ": " + r);
            }
        }
    }

    /** Both tables keep to 120 columns. */
    private static void assertTablesFit(String out) {
        int from = out.indexOf("What the application saw");
        int to = out.indexOf("Reports: ");
        assertTrue(from >= 0 && to > from, out);
        for (String line : out.substring(from, to).split("\n")) {
            assertTrue(line.length() <= 120, "wider than 120 columns (" + line.length() + "): " + line);
        }
    }

    private static Map<String, Object> find(List<Map<String, Object>> runs, String workload, String side) {
        return runs.stream().filter(r -> r.get("workload").equals(workload) && r.get("side").equals(side)).findFirst()
                .orElseThrow(() -> new AssertionError(workload + "/" + side + " not in the report"));
    }

    private static long num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        assertTrue(o instanceof Map, "not a JSON object: " + o);
        return (Map<String, Object>) o;
    }

    private static List<Map<String, Object>> runs(Path dir) throws Exception {
        return ReportJson.runs(dir);
    }
}
