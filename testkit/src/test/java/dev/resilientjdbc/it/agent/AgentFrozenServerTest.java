package dev.resilientjdbc.it.agent;

import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.it.legacy.OneConnectionApp;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 24, point 3 under the java agent: an application that connects with the plain {@code jdbc:postgresql:}
 * URL and keeps its connection (as a pool does) gets the same liveness watch as {@code jdbc:resilient:} — a
 * server that stops answering without closing its sockets (SIGSTOP, a frozen VM) ends the call within the
 * budgets, where the same application without the agent waits as long as the freeze lasts.
 */
@PgTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AgentFrozenServerTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @AfterEach
    void thaw() {
        pg.resume();
    }

    private static String answer(ChildJvm child, int n, Duration timeout) throws InterruptedException {
        return child.awaitLine(l -> l.startsWith("ANSWER " + n + " "), timeout, "the answer to query " + n);
    }

    /**
     * The application's connection comes from {@code DriverManager}, or from a {@code PGSimpleDataSource} bean (what a
     * {@code dataSourceClassName} configuration makes): pgjdbc's data sources connect through its driver, where the
     * agent gives the physical connection its liveness watch.
     */
    @ParameterizedTest
    @ValueSource(strings = {"drivermanager", "datasource"})
    void underTheAgentACallOnAFrozenServerEndsWithinTheBudgetsWhileTheSameAppWithoutItWaits(String source) throws Exception {
        String url = pg.jdbcUrl() + "?user=" + pg.user();
        try (ChildJvm ours = ChildJvm.start(AgentJvm.JDK17, List.of(AgentJvm.agentArg("resilient.connect.maxDuration=1s")),
                OneConnectionApp.class.getName(), url, source);
             ChildJvm raw = ChildJvm.start(AgentJvm.JDK17, List.of(), OneConnectionApp.class.getName(), url, source)) {
            ours.awaitLine("READY"::equals, START, "READY");
            raw.awaitLine("READY"::equals, START, "READY");
            ours.send("Q 1");
            raw.send("Q 1");
            assertTrue(answer(ours, 1, START).startsWith("ANSWER 1 OK 42"), ours::toString);
            assertTrue(answer(raw, 1, START).startsWith("ANSWER 1 OK 42"), raw::toString);

            pg.freeze();
            long t0 = System.nanoTime();
            ours.send("Q 2");
            raw.send("Q 2");
            String line = answer(ours, 2, Duration.ofSeconds(15));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String[] f = line.split(" ");
            assertEquals("ERR", f[2], "a frozen server cannot answer: the call ends with an error, not a hang: " + line);
            assertTrue(f[3].startsWith("08"), "a connection error: " + line);
            assertTrue(ms < 6_000, "ended within the budgets (liveness 2 s + connect 1 s): " + ms + " ms");
            // The fault hit: the same application without the agent is still waiting on the same server.
            assertThrows(IllegalStateException.class, () -> answer(raw, 2, Duration.ofMillis(200)), "the raw app still waits");
            System.out.println("agent (" + source + "), frozen server: " + line + " after " + ms + " ms; the app without the agent still waits");

            pg.resume();
            assertTrue(answer(raw, 2, START).startsWith("ANSWER 2 OK 42"), "the raw app is answered once the server runs");
            ours.send("Q 3");
            assertTrue(answer(ours, 3, START).startsWith("ANSWER 3 OK 42"), "ours goes on with a new connection");
        } finally {
            pg.resume();
        }
    }
}
