package dev.resilientjdbc.target;

import com.codahale.metrics.SharedMetricRegistries;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.health.HealthEndpoint;
import dev.resilientjdbc.health.TargetHealth;
import dev.resilientjdbc.metrics.ResilientMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One owner for everything a target starts (issue 14, part 2): connections through the driver with
 * pooling, metrics, JMX, health and the HTTP endpoint on a real SQLite file start all of it; closing
 * the driver's target registry takes every piece down again — metrics out of the registry, health
 * checks unregistered, pools closed, MBeans gone, the endpoint's and the pools' threads ended — and the
 * next connect starts afresh.
 */
class TargetRegistryTest {
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        ResilientDriver.targets().close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Set<String> ours(Set<String> names, String target) {
        return names.stream().filter(n -> n.startsWith("resilient." + target + ".")).collect(Collectors.toSet());
    }

    private static List<String> threadsNamed(String... prefixes) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> List.of(prefixes).stream().anyMatch(n::startsWith)).collect(Collectors.toList());
    }

    private static int ourMBeans() throws Exception {
        return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("dev.resilientjdbc:*"), null).size();
    }

    private void use(String url) throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Connection c = new ResilientDriver().connect(url, new Properties()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void closeTakesDownEverythingTheTargetsStarted() throws Exception {
        int port = freePort();
        String url = "jdbc:resilient:sqlite:" + dir.resolve("app.db") + "?resilient.pool=true&resilient.pool.minIdle=1"
                + "&resilient.metrics.jmx=true&resilient.http.port=" + port;
        String target = ResilientMetrics.targetName("jdbc:sqlite:" + dir.resolve("app.db"));
        int mbeansBefore = ourMBeans();
        use(url);

        TargetRegistry targets = ResilientDriver.targets();
        assertEquals(1, targets.guards().size(), "one target for one URL");
        List<HikariDataSource> pools = List.copyOf(targets.pools().values());
        assertEquals(1, pools.size());
        assertFalse(ours(SharedMetricRegistries.getOrCreate(ResilientMetrics.DEFAULT_REGISTRY).getNames(), target).isEmpty(),
                "metrics registered for " + target);
        assertTrue(TargetHealth.registry().getNames().contains("resilient." + target + ".reachable"));
        assertEquals(port, HealthEndpoint.port());
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(health.body().contains(target), health.body());
        assertTrue(ourMBeans() > mbeansBefore, "the JMX reporter registered our metrics");
        String poolName = pools.get(0).getPoolName();
        assertFalse(threadsNamed("resilient-http-", poolName).isEmpty(), "the endpoint and the pool run threads");

        targets.close();

        assertTrue(targets.guards().isEmpty());
        assertTrue(targets.pools().isEmpty());
        assertTrue(pools.get(0).isClosed(), "the pool is closed");
        assertEquals(Set.of(), ours(SharedMetricRegistries.getOrCreate(ResilientMetrics.DEFAULT_REGISTRY).getNames(), target),
                "no metric of the target is left in the shared registry");
        assertTrue(TargetHealth.registry().getNames().stream().noneMatch(n -> n.startsWith("resilient." + target + ".")),
                "no health check of the target is left: they hold the real driver");
        assertEquals(-1, HealthEndpoint.port(), "the endpoint is stopped");
        assertEquals(mbeansBefore, ourMBeans(), "the JMX reporter's MBeans are gone");
        // HikariCP's housekeeper ends asynchronously after close(); wait for each such thread to end
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(poolName) || t.getName().startsWith("resilient-http-")) {
                t.join(10_000);
            }
        }
        assertEquals(List.of(), threadsNamed("resilient-http-", poolName), "no thread of the endpoint or the pool outlives close()");

        // The registry can be used again: the next connect starts a fresh target, with counters from zero.
        use(url);
        assertEquals(1, targets.guards().size());
        assertEquals(0, targets.guards().get(0).stats().reconnects());
        assertFalse(ours(SharedMetricRegistries.getOrCreate(ResilientMetrics.DEFAULT_REGISTRY).getNames(), target).isEmpty());
        assertEquals(port, HealthEndpoint.port());
    }

    @Test
    void twoUsersOfOneDatabaseAreTwoTargetsWithTheirOwnNames() throws Exception {
        String base = "jdbc:resilient:sqlite:" + dir.resolve("two.db");
        Properties alice = new Properties();
        alice.setProperty("user", "alice");
        Properties bob = new Properties();
        bob.setProperty("user", "bob");
        try (Connection a = new ResilientDriver().connect(base, alice); Connection b = new ResilientDriver().connect(base, bob)) {
            assertTrue(a.isValid(1) && b.isValid(1));
        }
        String target = ResilientMetrics.targetName("jdbc:sqlite:" + dir.resolve("two.db"));
        Set<String> checks = TargetHealth.registry().getNames();
        assertTrue(checks.contains("resilient." + target + ".reachable") && checks.contains("resilient." + target + "_2.reachable"), checks.toString());
        ResilientDriver.targets().close();
        assertTrue(TargetHealth.registry().getNames().stream().noneMatch(n -> n.startsWith("resilient." + target)));
    }
}
