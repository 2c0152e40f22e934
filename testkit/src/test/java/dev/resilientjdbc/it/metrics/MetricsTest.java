package dev.resilientjdbc.it.metrics;


import dev.resilientjdbc.metrics.ResilientMetrics;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SharedMetricRegistries;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What resilient-jdbc reports in Dropwizard metrics, measured on a real PostgreSQL with a real fault. */
@PgTest
class MetricsTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @AfterAll
    static void cleanUp() {
        ResilientDriver.targets().close();
        ResilientMetrics.stopJmx();
        ResilientMetrics.useRegistry(null);
    }

    /** Each test gets a database of its own: a target of its own, so no other test's calls count in its metrics. */
    private static String url(String database) throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
            s.execute("CREATE DATABASE " + database);
        }
        return "jdbc:resilient:postgresql://127.0.0.1:" + pg.port() + "/" + database + "?user=postgres";
    }

    private static String target(String database) {
        return "resilient.postgresql_127_0_0_1_" + pg.port() + "_" + database;
    }

    private static long gauge(MetricRegistry r, String name) {
        Gauge<?> g = r.getGauges().get(name);
        return g == null ? -1 : ((Number) g.getValue()).longValue();
    }

    @Test
    void callsAreTimedByKindAndRecoveryIsCountedWithoutCredentialsInNames() throws Exception {
        String url = url("m_calls") + "&password=hunter2";
        MetricRegistry r = SharedMetricRegistries.getOrCreate(ResilientMetrics.DEFAULT_REGISTRY);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS m(x int)");
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO m VALUES (?)")) {
                ps.setInt(1, 1);
                ps.addBatch();
                ps.executeBatch();
            }
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO m VALUES (2)");
            c.commit();
            c.setAutoCommit(true);
            assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated");
            try (ResultSet rs = s.executeQuery("SELECT 2")) {
                rs.next();
            }
        }
        String t = target("m_calls");
        for (String kind : new String[]{"connect", "query", "update", "batch", "commit"}) {
            assertTrue(r.getTimers().containsKey(t + ".calls." + kind), "timer " + kind + " in " + r.getTimers().keySet());
            assertTrue(r.timer(t + ".calls." + kind).getCount() > 0, kind);
        }
        assertTrue(gauge(r, t + ".reconnect.count") >= 1);
        assertTrue(gauge(r, t + ".failures.connection") >= 1);
        assertEquals(0L, gauge(r, t + ".breaker.state"), "breaker closed");
        assertTrue(r.getNames().stream().noneMatch(n -> n.contains("hunter2") || n.contains("password")), r.getNames().toString());
    }

    @Test
    void metricValuesAreExactlyTheRecoveriesThatHappened() throws Exception {
        // A target of its own (distinct breaker settings), so no other test's calls count here.
        String url = url("m_exact");
        MetricRegistry r = SharedMetricRegistries.getOrCreate(ResilientMetrics.DEFAULT_REGISTRY);
        String t = target("m_exact");
        long reconnects0;
        long queries0;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            reconnects0 = gauge(r, t + ".reconnect.count");
            queries0 = r.timer(t + ".calls.query").getCount();
            for (int round = 0; round < 3; round++) {
                assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated");
                try (ResultSet rs = s.executeQuery("SELECT " + round)) {
                    rs.next();
                }
            }
        }
        assertEquals(3, gauge(r, t + ".reconnect.count") - reconnects0, "exactly the three reconnects that happened");
        assertEquals(3, r.timer(t + ".calls.query").getCount() - queries0, "three queries, each timed once whatever it took");
    }

    @Test
    void applicationRegistryPoolMetricsAndJmx() throws Exception {
        MetricRegistry own = new MetricRegistry();
        ResilientMetrics.useRegistry(own);
        try {
            String url = url("m_own") + "&resilient.pool=true&resilient.metrics.jmx=true&resilient.pool.maxSize=2";
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
            }
            assertTrue(own.getTimers().containsKey(target("m_own") + ".calls.query"), own.getNames().toString());
            assertTrue(own.getNames().stream().anyMatch(n -> n.startsWith("resilient-pool-") && n.endsWith(".pool.TotalConnections")),
                    "HikariCP's own pool metrics land in the same registry: " + own.getNames());
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            assertFalse(mbs.queryNames(new ObjectName("dev.resilientjdbc:*"), null).isEmpty(), "published over JMX");
            // The pool's wait timer and usage histograms are registered by us (lock-free reservoirs) under the names
            // HikariCP looks up; HikariCP fills them, and removes them with the pool: proof the names are its own.
            String wait = own.getTimers().keySet().stream().filter(n -> n.startsWith("resilient-pool-") && n.endsWith(".pool.Wait"))
                    .findFirst().orElseThrow(() -> new AssertionError("no pool Wait timer in " + own.getNames()));
            assertTrue(own.timer(wait).getCount() >= 1, "HikariCP timed the borrow");
            String usage = wait.replace(".pool.Wait", ".pool.Usage");
            assertTrue(own.getHistograms().containsKey(usage) && own.getHistograms().get(usage).getCount() >= 1, own.getNames().toString());
            ResilientDriver.targets().close();
            assertTrue(own.getNames().stream().noneMatch(n -> n.startsWith(wait.replace(".pool.Wait", ".pool."))),
                    "closing the pool removes every one of its metrics: " + own.getNames());
        } finally {
            ResilientMetrics.useRegistry(null);
        }
    }
}
