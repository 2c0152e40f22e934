package dev.resilientjdbc.it.agent;

import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.it.legacy.WrapProbeApp;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which connections the agent makes resilient, how it is configured without code, and that a
 * mistake in its configuration stops the JVM at start-up. Each case is a child JVM with the real
 * agent jar running {@link WrapProbeApp}, which reports for every way in whether the connection it
 * got is a resilient proxy and whose.
 */
@PgTest
class AgentWiringTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SHADED_PROXY = "dev.resilientjdbc.agent.shaded.driver.proxy.ResilientProxy";
    private static PgServer pg;
    @TempDir
    Path dir;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void everyWayInIsWrappedOnceAndResilientUrlsAreLeftAlone(String jdk) throws Exception {
        Map<String, String> ways = probe(java(jdk), Map.of(), List.of(AgentJvm.agentArg("")));
        for (String way : List.of("pg-drivermanager", "pg-driver", "pg-datasource", "sqlite-drivermanager", "sqlite-datasource")) {
            assertTrue(ways.get(way).contains("proxyOf=" + SHADED_PROXY), way + " is made resilient: " + ways.get(way));
            // Our physical opener called the real driver again without being wrapped a second time.
            assertTrue(ways.get(way).contains("physical=org."), way + " wraps the real connection directly: " + ways.get(way));
        }
        // An app that already uses jdbc:resilient: keeps its own driver, over the real connection.
        String own = ways.get("pg-resilient-url");
        assertTrue(own.contains("proxyOf=dev.resilientjdbc.proxy.ResilientProxy") && own.contains("physical=org.postgresql.jdbc.PgConnection"), own);
    }

    /**
     * Issue 16, point 10: sqlite-jdbc's Function.create, Collation.create, BusyHandler.setHandler and
     * ProgressHandler.setHandler demand its own connection class; under the agent they are handed the
     * real connection behind the resilient one, so the unchanged app runs as without the agent.
     */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void sqliteFunctionsCollationsAndHandlersRegisterOnAResilientConnection(String jdk) throws Exception {
        String url = "jdbc:sqlite:" + Files.createTempFile(dir, "functions", ".db");
        List<String> raw = runFunctions(java(jdk), List.of(), url);
        List<String> agent = runFunctions(java(jdk), List.of(AgentJvm.agentArg("")), url);
        assertEquals("PROXY false", raw.get(0));
        assertEquals("PROXY true", agent.get(0), "the agent made the connection resilient");
        assertEquals(raw.subList(1, raw.size()), agent.subList(1, agent.size()), "the same as without the agent");
        assertEquals(List.of("FUNCTION 42", "COLLATION cba", "PROGRESS true", "DESTROYED", "DONE"), agent.subList(1, agent.size()));
    }

    private static List<String> runFunctions(String java, List<String> jvm, String url) throws Exception {
        try (ChildJvm child = ChildJvm.start(java, Map.of(), jvm, dev.resilientjdbc.it.legacy.SqliteFunctionApp.class.getName(), url)) {
            child.awaitLine("DONE"::equals, TIMEOUT, "DONE");
            assertEquals(0, child.awaitExit(TIMEOUT), "exits cleanly: " + child.stderr());
            return child.stdout().stream().filter(l -> l.matches("(PROXY|FUNCTION|COLLATION|PROGRESS|DESTROYED|DONE).*")).toList();
        }
    }

    /** The start-up line names the options it was given, but never a secret's value (issue 17: masked everywhere). */
    @Test
    void theStartUpLineMasksSecrets() throws Exception {
        String token = "Hunter2TokenSecret";
        String pgUrl = pg.jdbcUrl() + "?user=" + pg.user();
        String sqliteUrl = "jdbc:sqlite:" + Files.createTempFile("agent-probe", ".db");
        List<String> jvm = List.of("-Dresilient.http.token=" + token, AgentJvm.agentArg("resilient.retry.maxAttempts=3"));
        try (ChildJvm child = ChildJvm.start(AgentJvm.JDK17, Map.of(), jvm, WrapProbeApp.class.getName(), pgUrl, sqliteUrl)) {
            child.awaitLine("DONE"::equals, TIMEOUT, "DONE");
            assertEquals(0, child.awaitExit(TIMEOUT), "probe exits cleanly: " + child.stderr());
            String all = String.join("\n", child.stderr()) + "\n" + String.join("\n", child.stdout());
            assertTrue(all.contains("resilient.retry.maxAttempts=3"), "the start-up line names the options: " + all);
            assertTrue(all.contains("resilient.http.token=***"), "the token's name, masked: " + all);
            assertTrue(!all.contains(token), "the token itself appears nowhere: " + all);
        }
    }

    @Test
    void withoutTheAgentNothingIsWrapped() throws Exception {
        Map<String, String> ways = probe(AgentJvm.JDK17, Map.of(), List.of());
        for (String way : List.of("pg-drivermanager", "pg-driver", "pg-datasource", "sqlite-drivermanager", "sqlite-datasource")) {
            assertTrue(ways.get(way).contains("proxy=false"), ways.get(way));
        }
    }

    @Test
    void excludePatternFromAgentArgumentsLeavesMatchingUrlsAlone() throws Exception {
        Map<String, String> ways = probe(AgentJvm.JDK17, Map.of(), List.of(AgentJvm.agentArg("resilient.agent.exclude=jdbc:sqlite:.*")));
        assertTrue(ways.get("sqlite-drivermanager").contains("proxy=false"), ways.get("sqlite-drivermanager"));
        assertTrue(ways.get("pg-drivermanager").contains("proxyOf=" + SHADED_PROXY), ways.get("pg-drivermanager"));
    }

    @Test
    void includePatternFromConfigFileNamedByArgument() throws Exception {
        Path file = dir.resolve("resilient.properties");
        Files.writeString(file, "resilient.agent.include=jdbc:sqlite:.*\nresilient.retry.maxAttempts=3\n");
        Map<String, String> ways = probe(AgentJvm.JDK17, Map.of(), List.of(AgentJvm.agentArg("config=" + file)));
        assertTrue(ways.get("pg-drivermanager").contains("proxy=false"), ways.get("pg-drivermanager"));
        assertTrue(ways.get("sqlite-drivermanager").contains("proxyOf=" + SHADED_PROXY), ways.get("sqlite-drivermanager"));
    }

    @Test
    void environmentAndSystemPropertiesReachTheAgent() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("RESILIENT_AGENT_EXCLUDE", "jdbc:postgresql:.*");
        env.put("RESILIENT_RETRY_MAX_ATTEMPTS", "4");
        Map<String, String> ways = probe(AgentJvm.JDK17, env, List.of(AgentJvm.agentArg("")));
        assertTrue(ways.get("pg-drivermanager").contains("proxy=false"), ways.get("pg-drivermanager"));
        assertTrue(ways.get("sqlite-drivermanager").contains("proxyOf=" + SHADED_PROXY), ways.get("sqlite-drivermanager"));

        // A driver option as a system property: the off switch hands out the real connections.
        Map<String, String> off = probe(AgentJvm.JDK17, Map.of(), List.of("-Dresilient.enabled=false", AgentJvm.agentArg("")));
        assertTrue(off.get("pg-drivermanager").contains("proxy=false"), off.get("pg-drivermanager"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "arg:resilient.retry.maxAttemps=5|Unknown option 'resilient.retry.maxAttemps'|resilient.retry.maxAttempts",
            "arg:resilient.retry.maxAttempts=0|Bad value '0' for option 'resilient.retry.maxAttempts'|1 to 1000",
            "arg:resilient.agent.inclde=x|Unknown agent option 'resilient.agent.inclde'|resilient.agent.include",
            "arg:resilient.agent.include=jdbc:(|Bad value 'jdbc:(' for resilient.agent.include|regular expression",
            "sys:-Dresilient.connect.maxDurration=5s|Unknown option 'resilient.connect.maxDurration'|resilient.connect.maxDuration",
            // A stray RESILIENT_* name is no mistake (StrayEnvironmentTest); a bad value of a real one is.
            "env:RESILIENT_RETRY_MAX_ATTEMPTS=lots|Bad value 'lots' for option 'resilient.retry.maxAttempts' in an environment variable|1 to 1000",
            "file:resilient.retry.multiplier=fast|Bad value 'fast' for option 'resilient.retry.multiplier' in the agent config file|",
    })
    void aConfigurationMistakeStopsTheJvmAtStartUp(String spec) throws Exception {
        String[] parts = spec.split("\\|", -1);
        String kind = parts[0].substring(0, parts[0].indexOf(':'));
        String value = parts[0].substring(parts[0].indexOf(':') + 1);
        Map<String, String> env = new HashMap<>();
        List<String> jvm;
        switch (kind) {
            case "arg": jvm = List.of(AgentJvm.agentArg(value)); break;
            case "sys": jvm = List.of(value, AgentJvm.agentArg("")); break;
            case "env":
                env.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                jvm = List.of(AgentJvm.agentArg(""));
                break;
            default:
                Path file = dir.resolve("bad.properties");
                Files.writeString(file, value + "\n");
                jvm = List.of(AgentJvm.agentArg("config=" + file));
        }
        try (ChildJvm child = ChildJvm.start(AgentJvm.JDK17, env, jvm, "dev.resilientjdbc.it.legacy.StartupProbe")) {
            assertEquals(78, child.awaitExit(TIMEOUT), "the JVM ends with EX_CONFIG, not a native abort: " + child.stderr());
            assertTrue(!child.stdout().contains("MAIN"), "main must not run: " + child.stdout());
            assertEquals(1, child.stderr().size(), "one line on stderr: " + child.stderr());
            String first = child.stderr().get(0);
            assertTrue(first.startsWith("resilient-agent: not started: ") && first.contains(parts[1]) && first.contains(parts[2]),
                    "the line says what is wrong: " + child.stderr());
        }
    }

    private static Map<String, String> probe(String java, Map<String, String> env, List<String> jvm) throws Exception {
        String pgUrl = pg.jdbcUrl() + "?user=" + pg.user();
        String sqliteUrl = "jdbc:sqlite:" + Files.createTempFile("agent-probe", ".db");
        try (ChildJvm child = ChildJvm.start(java, env, jvm, WrapProbeApp.class.getName(), pgUrl, sqliteUrl)) {
            child.awaitLine("DONE"::equals, TIMEOUT, "DONE");
            assertEquals(0, child.awaitExit(TIMEOUT), "probe exits cleanly: " + child.stderr());
            Map<String, String> ways = new HashMap<>();
            for (String line : child.stdout()) {
                if (line.startsWith("WRAP ")) {
                    String[] p = line.split(" ", 3);
                    ways.put(p[1], p[2]);
                }
            }
            return ways;
        }
    }

    private static String java(String jdk) {
        if (jdk.equals("25")) {
            assumeTrue(AgentJvm.jdk25Available(), "JDK 25 not installed");
            return AgentJvm.jdk25();
        }
        return AgentJvm.JDK17;
    }
}
