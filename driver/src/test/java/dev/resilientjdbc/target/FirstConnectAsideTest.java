package dev.resilientjdbc.target;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SharedMetricRegistries;
import com.codahale.metrics.Timer;
import dev.resilientjdbc.health.TargetHealth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target's first connect makes its metrics and health checks on a thread of their own while it opens the
 * connection (issue 26, the first connection's cost): what the application sees must be what it saw when they were
 * made first — present when the connect returns, and present when it fails; the connect itself counted.
 */
class FirstConnectAsideTest {
    @TempDir
    Path dir;

    @Test
    void metricsAndHealthExistWhenTheFirstConnectReturnsAndTheConnectIsCounted() throws Exception {
        String registry = "aside-" + System.nanoTime();
        String url = "jdbc:resilient:sqlite:" + dir.resolve("first.db") + "?resilient.metrics.registry=" + registry;
        try (Connection c = DriverManager.getConnection(url)) {
            MetricRegistry r = SharedMetricRegistries.getOrCreate(registry);
            Map<String, Timer> connects = timers(r, ".calls.connect");
            assertEquals(1, connects.size(), "one target's connect timer: " + r.getNames());
            assertEquals(1, connects.values().iterator().next().getCount(), "the first connect is counted");
            String target = connects.keySet().iterator().next().replace(".calls.connect", "");
            Set<String> checks = TargetHealth.registry().getNames().stream().filter(n -> n.startsWith(target + "."))
                    .collect(Collectors.toSet());
            assertTrue(checks.containsAll(Set.of(target + ".reachable", target + ".breaker", target + ".errors", target + ".latency")),
                    "health checks registered: " + checks);
            try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("select 1")) {
                assertTrue(rs.next());
            }
            assertEquals(1, timers(r, ".calls.query").values().iterator().next().getCount(), "later calls go straight to the timers");
        }
    }

    @Test
    void aFailedFirstConnectStillLeavesMetricsAndHealthAndCountsTheFailure() {
        String registry = "aside-failed-" + System.nanoTime();
        // A directory that does not exist: SQLite cannot open the file.
        String url = "jdbc:resilient:sqlite:" + dir.resolve("missing").resolve("x.db") + "?resilient.metrics.registry=" + registry
                + "&resilient.retry.maxAttempts=1";
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        MetricRegistry r = SharedMetricRegistries.getOrCreate(registry);
        Map<String, Timer> connects = timers(r, ".calls.connect");
        assertEquals(1, connects.size(), "the target's metrics exist after a failed first connect: " + r.getNames());
        String target = connects.keySet().iterator().next().replace(".calls.connect", "");
        assertTrue(TargetHealth.registry().getNames().contains(target + ".reachable"), "health registered after a failed first connect");
    }

    private static Map<String, Timer> timers(MetricRegistry r, String suffix) {
        return r.getTimers((name, m) -> name.endsWith(suffix));
    }
}
