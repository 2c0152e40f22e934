package dev.resilientjdbc.it.agent;

import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.it.legacy.ConnectProbeApp;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The environment is shared with the whole host (build scripts, Kubernetes' {@code <SERVICE>_PORT}):
 * a {@code RESILIENT_*} variable that is not an option never stops a connect or the JVM — one WARNING
 * names it, never its value — while a variable that is an option still takes effect and a bad URL key
 * is still HY092. A real mistake in the agent's own argument ends the JVM before main with one line
 * and exit 78, never the JVM's native abort. Each case is a child JVM with the real environment and,
 * where named, the real agent jar.
 */
class StrayEnvironmentTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SECRET = "s3cr3t-Stray-Value-4711";
    /** What a build script or a platform leaves in the environment; one value looks like a secret. */
    private static final Map<String, String> STRAYS = Map.of(
            "RESILIENT_HOME", "/opt", "RESILIENT_JAR", "x", "RESILIENT_DB_PASSWORD", SECRET);
    private static final String OURS = "jdbc:resilient:sqlite::memory:";
    private static final String BAD_KEY = "jdbc:resilient:sqlite::memory:?resilient.retry.maxAtempts=5";

    @TempDir
    Path dir;

    @Test
    void strayVariablesDoNotStopAConnectAndAreNamedInOneWarning() throws Exception {
        Run run = run(ChildJvm.THIS_JAVA, STRAYS, List.of(), OURS, BAD_KEY);
        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.contains("OK 0 proxy=true value=1"), "the connect succeeds, resilient: " + run);
        assertOneWarningNamingTheStrays(run);
        // URL keys stay strict: the typo is an error naming it and the key it meant.
        String bad = run.line("ERR 1 ");
        assertTrue(bad.startsWith("ERR 1 HY092 Unknown option 'resilient.retry.maxAtempts'")
                && bad.contains("did you mean 'resilient.retry.maxAttempts'"), run.toString());
    }

    @Test
    void aVariableThatIsAnOptionStillTakesEffect() throws Exception {
        Map<String, String> env = new HashMap<>(STRAYS);
        env.put("RESILIENT_ENABLED", "false");
        Run run = run(ChildJvm.THIS_JAVA, env, List.of(), OURS);
        assertEquals(0, run.exit, run.toString());
        // The oracle is the run above without it (proxy=true): the off switch hands out the real connection.
        assertTrue(run.out.contains("OK 0 proxy=false value=1"), "RESILIENT_ENABLED=false is read: " + run);
        String warning = assertOneWarningNamingTheStrays(run);
        assertFalse(warning.contains("RESILIENT_ENABLED"), "an option is not named as a stray: " + warning);
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void underTheAgentStrayVariablesDoNotStopTheJvm(String jdk) throws Exception {
        Map<String, String> env = new HashMap<>(STRAYS);
        env.put("RESILIENT_AGENT_SERVICE_HOST", "10.96.0.17"); // Kubernetes, for a service named resilient-agent
        Run run = run(java(jdk), env, List.of(AgentJvm.agentArg("")), "jdbc:sqlite::memory:");
        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.contains("OK 0 proxy=true value=1"), "the agent starts and wraps: " + run);
        assertOneWarningNamingTheStrays(run);
        String startUp = run.err.stream().filter(l -> l.startsWith("resilient-agent ")).findFirst().orElse("");
        assertTrue(startUp.contains("ignoring environment variables that are not agent options: RESILIENT_AGENT_SERVICE_HOST"),
                "the start-up line names the agent-prefixed stray: " + run);
        assertFalse(String.join("\n", run.err).contains("10.96.0.17"), "no value printed: " + run);
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void aMisspeltAgentOptionEndsTheJvmWithOneLineAndExit78(String jdk) throws Exception {
        List<String> jvm = List.of("-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"),
                AgentJvm.agentArg("resilient.retry.maxAtempts=5"));
        Run run = run(java(jdk), STRAYS, jvm, "jdbc:sqlite::memory:");
        assertEquals(78, run.exit, "EX_CONFIG, not the native abort's 134: " + run);
        assertTrue(run.out.isEmpty(), "main never runs: " + run);
        assertEquals(1, run.err.size(), "exactly one line: " + run);
        String line = run.err.get(0);
        assertTrue(line.startsWith("resilient-agent: not started: Unknown option 'resilient.retry.maxAtempts' in the agent arguments"
                + "; did you mean 'resilient.retry.maxAttempts'?"), line);
        assertFalse(line.contains("FATAL"), line);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.collect(Collectors.toList()), "no hs_err file");
        }
    }

    /** The one WARNING line (JUL's default format: a header line, then "WARNING: message"); it is returned. */
    private static String assertOneWarningNamingTheStrays(Run run) {
        List<String> ours = run.err.stream().filter(l -> l.contains("RESILIENT_HOME")).collect(Collectors.toList());
        assertEquals(1, ours.size(), "exactly one line names the strays: " + run);
        String warning = ours.get(0);
        assertTrue(warning.startsWith("WARNING: resilient-jdbc: ignoring environment variables RESILIENT_DB_PASSWORD, RESILIENT_HOME, RESILIENT_JAR:"),
                warning);
        assertFalse(warning.contains("/opt"), "no value printed: " + warning);
        assertFalse(String.join("\n", run.err).contains(SECRET) || String.join("\n", run.out).contains(SECRET),
                "the secret-looking value appears nowhere: " + run);
        return warning;
    }

    private static Run run(String java, Map<String, String> env, List<String> jvmArgs, String... urls) throws Exception {
        try (ChildJvm child = ChildJvm.builder(ConnectProbeApp.class.getName()).java(java).env(env).jvmArgs(jvmArgs)
                .args(urls).start()) {
            int exit = child.awaitExit(TIMEOUT);
            return new Run(exit, child.stdout(), child.stderr());
        }
    }

    private static String java(String jdk) {
        if (jdk.equals("25")) {
            assumeTrue(AgentJvm.jdk25Available(), "JDK 25 not installed");
            return AgentJvm.jdk25();
        }
        return AgentJvm.JDK17;
    }

    private static final class Run {
        final int exit;
        final List<String> out;
        final List<String> err;

        Run(int exit, List<String> out, List<String> err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        String line(String prefix) {
            return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n  " + String.join("\n  ", out) + "\nstderr:\n  " + String.join("\n  ", err);
        }
    }
}
