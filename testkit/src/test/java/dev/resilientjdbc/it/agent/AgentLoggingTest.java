package dev.resilientjdbc.it.agent;

import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.it.legacy.LoggingApp;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's own libraries log where the driver logs: HikariCP inside the agent (the embedded pool,
 * {@code resilient.pool=true}) reaches java.util.logging through the agent's relocated SLF4J and its
 * relocated JUL provider, and no false "no SLF4J providers" warning is printed — whether the application
 * has its own SLF4J with a provider (slf4j-simple, which keeps working for the application) or no SLF4J at all.
 */
@PgTest
class AgentLoggingTest {
    private static final Duration STEP = Duration.ofSeconds(60);
    /** One line per record: level, logger, message. */
    private static final String JUL_FORMAT = "-Djava.util.logging.SimpleFormatter.format=JUL %4$s %3$s: %5$s%n";

    @ParameterizedTest(name = "application with {0}")
    @ValueSource(strings = {"slf4j", "plain"})
    void hikariInsideTheAgentLogsToJulWithoutAFalseWarning(String mode, PgServer pg) throws Exception {
        List<String> cp = new ArrayList<>(List.of(jarOf(LoggingApp.class), jarOf(org.postgresql.Driver.class)));
        if (mode.equals("slf4j")) {
            Path simple = Path.of("target", "app-slf4j").toAbsolutePath();
            try (var jars = Files.list(simple)) {
                jars.filter(p -> p.getFileName().toString().startsWith("slf4j-simple-")).forEach(p -> cp.add(p.toString()));
            }
            assertEquals(3, cp.size(), "the build copies slf4j-simple to " + simple);
            cp.add(jarOf(org.slf4j.LoggerFactory.class));
        }
        String url = pg.jdbcUrl() + "?user=" + pg.user();
        try (ChildJvm child = ChildJvm.builder(LoggingApp.class.getName())
                .classPath(String.join(File.pathSeparator, cp))
                .jvmArgs(List.of(JUL_FORMAT, AgentJvm.agentArg("resilient.pool=true")))
                .env(Map.of())
                .args(url, mode)
                .start()) {
            child.awaitLine("DONE"::equals, STEP, "DONE");
            assertEquals(0, child.awaitExit(STEP), "the app exits cleanly; stderr: " + child.stderr());
            List<String> err = child.stderr();
            String all = String.join("\n  ", err);
            assertFalse(err.stream().anyMatch(l -> l.contains("SLF4J")),
                    "no SLF4J warning, the application's SLF4J and ours are both served:\n  " + all);
            assertTrue(err.stream().anyMatch(l -> l.matches(
                            "JUL INFO dev\\.resilientjdbc\\.agent\\.shaded\\.hikari\\.\\S+: resilient-pool-\\d+ - Start completed\\.")),
                    "the embedded pool's HikariCP start line reaches java.util.logging:\n  " + all);
            if (mode.equals("slf4j")) {
                // slf4j-simple's own format: the application's logging is untouched by the agent.
                assertTrue(err.stream().anyMatch(l -> l.endsWith("INFO app - the application is done")),
                        "the application's own SLF4J provider still logs its lines:\n  " + all);
                assertFalse(err.stream().anyMatch(l -> l.contains("INFO dev.resilientjdbc.agent.shaded.hikari") && !l.startsWith("JUL ")),
                        "the agent's HikariCP does not log through the application's provider:\n  " + all);
            }
        }
    }

    private static String jarOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
