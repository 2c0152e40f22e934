package dev.resilientjdbc.it.agent;

import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.it.legacy.StartupProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the agent costs an application at start-up: wall time from launching the JVM to the end of
 * a main that only prints, with and without the agent (median of several runs, alternated so
 * machine noise hits both). Also: with the agent, stderr holds exactly its one start-up line.
 */
class AgentStartupCostTest {
    private static final int RUNS = 7;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void startUpCost(String jdk) throws Exception {
        String java = AgentJvm.JDK17;
        if (jdk.equals("25")) {
            assumeTrue(AgentJvm.jdk25Available(), "JDK 25 not installed");
            java = AgentJvm.jdk25();
        }
        List<Long> plain = new ArrayList<>();
        List<Long> agent = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            plain.add(timeToMain(java, List.of(), false));
            agent.add(timeToMain(java, List.of(AgentJvm.agentArg("")), true));
        }
        long p = median(plain);
        long a = median(agent);
        System.out.println("start-up JDK " + jdk + ": without agent " + p + " ms, with agent " + a + " ms, cost "
                + (a - p) + " ms (medians of " + RUNS + "; all without " + plain + ", with " + agent + ")");
        // A budget, not a benchmark: catches an agent that suddenly scans every class or blocks.
        assertTrue(a - p < 3_000, "agent start-up cost " + (a - p) + " ms");
    }

    /**
     * Issue 26: what the agent's first connection loads. Its driver-class instructions are written with ASM's core,
     * not ByteBuddy's Advice, which loaded some 820 classes and took about 400 ms of the first JDBC use. A budget
     * on the classes the agent jar gives a first SQLite connection (functions registered, so the connection takers
     * are woven too) keeps that from coming back unnoticed.
     */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void theFirstConnectionLoadsLittleFromTheAgentJar(String jdk, @TempDir Path dir) throws Exception {
        String javaCmd = AgentJvm.JDK17;
        if (jdk.equals("25")) {
            assumeTrue(AgentJvm.jdk25Available(), "JDK 25 not installed");
            javaCmd = AgentJvm.jdk25();
        }
        Path log = dir.resolve("classes.log");
        String url = "jdbc:sqlite:" + dir.resolve("first.db");
        try (ChildJvm child = ChildJvm.start(javaCmd, Map.of(), List.of("-Xlog:class+load=info:file=" + log, AgentJvm.agentArg("")),
                dev.resilientjdbc.it.legacy.SqliteFunctionApp.class.getName(), url)) {
            child.awaitLine("DONE"::equals, TIMEOUT, "DONE");
            assertEquals(0, child.awaitExit(TIMEOUT), "exits cleanly: " + child.stderr());
            assertTrue(child.stdout().contains("PROXY true"), "the connection was made resilient: " + child.stdout());
        }
        List<String> fromAgent = Files.readAllLines(log).stream()
                .filter(l -> l.contains("[class,load] ") && l.contains("resilient-agent.jar"))
                .map(l -> l.substring(l.indexOf("[class,load] ") + "[class,load] ".length()).split(" ")[0])
                .toList();
        long bytecode = fromAgent.stream().filter(c -> c.startsWith("dev.resilientjdbc.agent.shaded.asm.")).count();
        long byteBuddy = fromAgent.stream().filter(c -> c.contains("bytebuddy")).count();
        System.out.println("first connection under the agent, JDK " + jdk + ": " + fromAgent.size() + " classes from the agent jar, "
                + bytecode + " of them ASM");
        assertEquals(0, byteBuddy, "no ByteBuddy");
        assertTrue(bytecode <= 40, "ASM classes loaded to weave the driver: " + bytecode + " (30 when this budget was set)");
        assertTrue(fromAgent.size() <= BUDGET, "classes from the agent jar: " + fromAgent.size() + " (budget " + BUDGET + ")");
    }

    // Classes the agent jar gives SqliteFunctionApp's first connection: 228 when this budget was set (JDK 17 and 25).
    private static final int BUDGET = 250;

    private static long timeToMain(String java, List<String> jvmArgs, boolean withAgent) throws Exception {
        long start = System.nanoTime();
        try (ChildJvm child = ChildJvm.start(java, jvmArgs, StartupProbe.class.getName())) {
            assertEquals(0, child.awaitExit(TIMEOUT), "probe exits cleanly: " + child.stderr());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(List.of("MAIN"), child.stdout());
            if (withAgent) {
                assertEquals(1, child.stderr().size(), "exactly one start-up line: " + child.stderr());
                assertTrue(child.stderr().get(0).startsWith("resilient-agent "), child.stderr().get(0));
            } else {
                assertEquals(List.of(), child.stderr());
            }
            return millis;
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
