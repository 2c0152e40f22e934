package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.it.legacy.PooledApp;
import dev.resilientjdbc.control.pg.PgServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 24, point 5: after a failover every pool of every application reconnects at once. Several JVMs,
 * each a HikariCP pool that keeps {@code storm.pool} connections busy, against a server with fewer
 * connection slots than all of them want: the server restarts (every connection dies at once, as in a
 * failover) and the pools refill together, meeting {@code 53300 too many clients}. Raw pgjdbc's
 * applications see errors (the fault hit); through resilient-jdbc none, and the time to converge (every
 * application served again), the physical connects the server accepted and the ones it refused are
 * counted from its own log ({@code log_connections}).
 *
 * <p>CI: 4 JVMs × a pool of 20 against {@code max_connections=50}. {@code -Dstorm.jvms=8
 * -Dstorm.maxConnections=100} is the 8 × 20 against 100 (bench/RESULTS.md).
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReconnectStormTest {
    private static final int JVMS = Integer.getInteger("storm.jvms", 4);
    private static final int POOL = Integer.getInteger("storm.pool", 20);
    private static final int MAX_CONNECTIONS = Integer.getInteger("storm.maxConnections", 50);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static PgServer pg;

    @BeforeAll
    static void start() {
        pg = PgServer.builder().maxConnections(MAX_CONNECTIONS).setting("log_connections", "on").start();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private record Storm(long convergeMillis, long errors, String states, long accepted, long refused) {
    }

    private static long progress(ChildJvm app) {
        List<String> out = app.stdout();
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i).startsWith("PROGRESS ")) {
                return Long.parseLong(out.get(i).split(" ")[1]);
            }
        }
        return 0;
    }

    private static Storm storm(String url) throws Exception {
        List<ChildJvm> apps = new ArrayList<>();
        try {
            for (int i = 0; i < JVMS; i++) {
                apps.add(ChildJvm.builder(PooledApp.class.getName()).jvmArgs(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"))
                        .args(url, String.valueOf(POOL)).start());
            }
            for (ChildJvm app : apps) {
                app.awaitLine("READY"::equals, WAIT, "READY");
            }
            for (ChildJvm app : apps) {
                long now = progress(app);
                app.awaitLine(l -> l.startsWith("PROGRESS ") && Long.parseLong(l.split(" ")[1]) > now, WAIT, "progress");
            }
            long[] before = new long[apps.size()];
            long logFrom = Files.size(pg.logFile());
            pg.restart();
            // From the moment the server accepts again: each application's count stands where the restart left it.
            long t0 = System.nanoTime();
            for (int i = 0; i < apps.size(); i++) {
                before[i] = progress(apps.get(i));
            }
            for (int i = 0; i < apps.size(); i++) {
                long target = before[i] + POOL;
                apps.get(i).awaitLine(l -> l.startsWith("PROGRESS ") && Long.parseLong(l.split(" ")[1]) > target, WAIT,
                        "progress after the restart");
            }
            long converge = (System.nanoTime() - t0) / 1_000_000;
            Thread.sleep(3_000); // the pools go on refilling a while: their connects are counted too
            long errors = 0;
            StringBuilder states = new StringBuilder();
            for (ChildJvm app : apps) {
                app.send("STOP");
                String summary = app.awaitLine(l -> l.startsWith("SUMMARY "), WAIT, "SUMMARY");
                String[] f = summary.split(" ", 4);
                errors += Long.parseLong(f[2]);
                states.append(f[3]).append(' ');
                assertEquals(0, app.awaitExit(WAIT), () -> "exit; stderr " + app.stderr());
            }
            byte[] log = Files.readAllBytes(pg.logFile());
            String after = new String(log, (int) Math.min(logFrom, log.length), (int) (log.length - Math.min(logFrom, log.length)),
                    StandardCharsets.UTF_8);
            long accepted = after.lines().filter(l -> l.contains("connection authorized")).count();
            long refused = after.lines().filter(l -> l.contains("too many clients")).count();
            return new Storm(converge, errors, states.toString().trim(), accepted, refused);
        } finally {
            for (ChildJvm app : apps) {
                app.close();
            }
        }
    }

    @Test
    void afterARestartEveryPoolRefillsAtOnceAndNoApplicationSeesAnError() throws Exception {
        String url = pg.jdbcUrl();
        Storm raw = storm(url);
        Storm ours = storm(url.replace("jdbc:", "jdbc:resilient:"));
        int slots = MAX_CONNECTIONS - 3; // superuser_reserved_connections
        String figures = String.format("reconnect storm, %d JVMs x pool %d, %d slots: raw: %d errors %s, every app served again"
                        + " after %d ms, %d connects accepted, %d refused (53300); resilient: %d errors %s, %d ms, %d accepted, %d refused",
                JVMS, POOL, slots, raw.errors(), raw.states(), raw.convergeMillis(), raw.accepted(), raw.refused(),
                ours.errors(), ours.states(), ours.convergeMillis(), ours.accepted(), ours.refused());
        System.out.println(figures);
        assertTrue(raw.errors() > 0, "the restart reached the raw applications: " + figures);
        assertEquals(0, ours.errors(), "no application saw an error through resilient-jdbc: " + figures);
        assertTrue(ours.convergeMillis() < 10_000, "every application served again within 10 s: " + figures);
        // The oracle is HikariCP over raw pgjdbc refilling the same pools: our retries add no storm of their own.
        assertTrue(ours.accepted() <= raw.accepted() * 3 / 2 + 2, "no more sessions than raw pools open, within half: " + figures);
        // After a 53300 a target's connects ask the full server one at a time (FullServerTurns), as HikariCP's one
        // adder thread refills a raw pool: 33-154 refusals against raw's 27-38 in seven runs (four within 1.3x raw,
        // the clean-clone CI run 154 against 34: a turn waited for in vain goes on its own). Before, every logical
        // connection of a JVM reconnected on its own at once: 57-213 against 32-43. The bound guards against a retry
        // without backoff, which makes thousands. (A later first retry instead, 250 ms, barely cut them and starved one
        // application of every slot: reverted.)
        assertTrue(ours.refused() <= raw.refused() * 8 + 50, "refused connects (53300) backed off: " + figures);
    }
}
