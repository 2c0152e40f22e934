package dev.resilientjdbc.it.metrics;


import dev.resilientjdbc.metrics.ResilientMetrics;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SharedMetricRegistries;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.metrics.micrometer.ResilientMicrometer;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Micrometer binding on a real PostgreSQL with real faults: after terminated backends (reconnects,
 * a replayed transaction) every Micrometer meter carries the value of its Dropwizard twin, in a
 * {@link SimpleMeterRegistry} and in a {@link PrometheusMeterRegistry}'s scrape text; closing the
 * targets removes the meters.
 */
@PgTest
class MicrometerMetricsTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @AfterEach
    void unbind() {
        ResilientMicrometer.bindTo(null);
    }

    @AfterAll
    static void cleanUp() {
        ResilientDriver.targets().close();
    }

    private static String url(String database) throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
            s.execute("CREATE DATABASE " + database);
        }
        return "jdbc:resilient:postgresql://127.0.0.1:" + pg.port() + "/" + database + "?user=postgres";
    }

    private static String target(String database) {
        return "postgresql_127_0_0_1_" + pg.port() + "_" + database;
    }

    /** Reconnects in autocommit and a transaction replayed after its backend was terminated; proves each fault hit. */
    private static void scriptedFaults(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(x int)");
            assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated");
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO t VALUES (1)");
            assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated inside the transaction");
            s.executeUpdate("INSERT INTO t VALUES (2)");
            c.commit();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1), "the replayed transaction applied once");
            }
        }
    }

    /**
     * Every Dropwizard metric of the target, by its name after {@code resilient.<target>.}, with the
     * Micrometer meter (name and tags) that must carry the same value.
     */
    private static Map<String, Double> dropwizard(String target) {
        MetricRegistry r = SharedMetricRegistries.getOrCreate(ResilientMetrics.DEFAULT_REGISTRY);
        String p = "resilient." + target + ".";
        Map<String, Double> out = new HashMap<>();
        r.getGauges((n, m) -> n.startsWith(p)).forEach((n, g) -> out.put(n.substring(p.length()), ((Number) ((Gauge<?>) g).getValue()).doubleValue()));
        r.getTimers((n, m) -> n.startsWith(p)).forEach((n, t) -> out.put(n.substring(p.length()), (double) t.getCount()));
        return out;
    }

    private static final Pattern CLASSED = Pattern.compile("(failures|retries|giveups)\\.([a-z_]+)");

    /** The Micrometer twin of a Dropwizard metric: meter name and tags (besides target), or null when there is none. */
    static String[] twin(String dw) {
        Matcher m = CLASSED.matcher(dw);
        if (m.matches()) {
            return new String[]{"resilient." + m.group(1), "class", m.group(2)};
        }
        if (dw.startsWith("indoubt.by.")) {
            return new String[]{"resilient.indoubt.evidence", "evidence", dw.substring("indoubt.by.".length())};
        }
        if (dw.startsWith("calls.")) {
            return new String[]{"resilient.calls", "kind", dw.substring("calls.".length())};
        }
        switch (dw) {
            case "connect.retries": return new String[]{"resilient.connect.retries"};
            case "connect.giveups": return new String[]{"resilient.connect.giveups"};
            case "reconnect.count": return new String[]{"resilient.reconnects"};
            case "replay.count": return new String[]{"resilient.replays"};
            case "replay.divergences": return new String[]{"resilient.replay.divergences"};
            case "indoubt.unknown": return new String[]{"resilient.indoubt", "outcome", "unknown"};
            case "indoubt.committed": return new String[]{"resilient.indoubt", "outcome", "committed"};
            case "indoubt.aborted": return new String[]{"resilient.indoubt", "outcome", "aborted"};
            case "breaker.opened": return new String[]{"resilient.breaker.transitions", "state", "open"};
            case "breaker.halfopened": return new String[]{"resilient.breaker.transitions", "state", "half_open"};
            case "breaker.closed": return new String[]{"resilient.breaker.transitions", "state", "closed"};
            case "breaker.rejected": return new String[]{"resilient.breaker.rejected"};
            case "breaker.state": return new String[]{"resilient.breaker.state"};
            default: return null;
        }
    }

    private static double value(Meter m) {
        if (m instanceof FunctionCounter) {
            return ((FunctionCounter) m).count();
        }
        if (m instanceof Timer) {
            return ((Timer) m).count();
        }
        return m.measure().iterator().next().getValue();
    }

    private static List<Meter> ours(MeterRegistry registry, String target) {
        return registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("resilient.") && target.equals(m.getId().getTag("target"))).toList();
    }

    @Test
    void afterRealFaultsTheMetersCarryTheDropwizardValuesAndCloseRemovesThem() throws Exception {
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        ResilientMicrometer.bindTo(simple);
        String db = "mm_values";
        String t = target(db);
        String url = url(db);
        scriptedFaults(url);

        Map<String, Double> dw = dropwizard(t);
        assertTrue(dw.get("reconnect.count") >= 2, "both terminations were recovered by a reconnect: " + dw);
        assertTrue(dw.get("replay.count") >= 1, "the transaction was replayed: " + dw);
        assertTrue(dw.get("failures.connection") >= 1, "the failures were classified: " + dw);
        assertEquals(dw.size(), ours(simple, t).size(), "one meter for every Dropwizard metric of the target: " + ours(simple, t));
        for (Map.Entry<String, Double> e : dw.entrySet()) {
            String[] twin = twin(e.getKey());
            assertNotNull(twin, "a Micrometer twin for " + e.getKey());
            var search = simple.find(twin[0]).tag("target", t);
            if (twin.length == 3) {
                search = search.tag(twin[1], twin[2]);
            }
            Meter m = search.meter();
            assertNotNull(m, "meter " + String.join(" ", twin) + " for " + e.getKey());
            assertEquals(e.getValue(), value(m), 0.0, e.getKey() + " vs " + m.getId());
        }
        assertTrue(simple.get("resilient.calls").tag("target", t).tag("kind", "query").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0,
                "the timers measured the calls");

        // Handed another registry, the open target moves there: gone from the first, present in Prometheus's text.
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ResilientMicrometer.bindTo(prometheus);
        assertEquals(List.of(), ours(simple, t), "rebinding removed the meters from the earlier registry");
        // Another fault while Prometheus's registry is bound. Its timers count the calls from the binding on;
        // the counters read the target's totals, so they equal the Dropwizard gauges at once.
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertTrue(pg.terminateAllClientBackends() > 0, "a backend was terminated");
            for (int i = 0; i < 4; i++) {
                try (ResultSet rs = s.executeQuery("SELECT " + i)) {
                    assertTrue(rs.next());
                }
            }
        }
        Map<String, Double> after = dropwizard(t);
        assertTrue(after.get("reconnect.count") > dw.get("reconnect.count"), "the fault hit: " + after);
        String text = prometheus.scrape();
        Map<String, Double> samples = samples(text, t);
        assertEquals(after.get("reconnect.count"), samples.get("resilient_reconnects_total{}"), text);
        assertEquals(after.get("replay.count"), samples.get("resilient_replays_total{}"), text);
        assertEquals(after.get("failures.connection"), samples.get("resilient_failures_total{class=\"connection\"}"), text);
        assertEquals(after.get("retries.connection"), samples.get("resilient_retries_total{class=\"connection\"}"), text);
        assertEquals(after.get("breaker.state"), samples.get("resilient_breaker_state{}"), text);
        assertEquals(after.get("indoubt.unknown"), samples.get("resilient_indoubt_total{outcome=\"unknown\"}"), text);
        assertEquals(4.0, samples.get("resilient_calls_seconds_count{kind=\"query\"}"), text);
        assertEquals(after.get("calls.query") - dw.get("calls.query"), samples.get("resilient_calls_seconds_count{kind=\"query\"}"), text);
        assertEquals(after.get("calls.connect") - dw.get("calls.connect"), samples.get("resilient_calls_seconds_count{kind=\"connect\"}"), text);
        assertTrue(text.contains("# TYPE resilient_reconnects_total counter"), text);
        assertTrue(text.contains("# TYPE resilient_calls_seconds summary"), text);

        ResilientDriver.targets().close();
        assertEquals(List.of(), ours(prometheus, t), "closing the targets removed the meters");
        assertTrue(prometheus.getMeters().stream().noneMatch(m -> m.getId().getName().startsWith("resilient.")), prometheus.getMeters().toString());
        assertFalse(prometheus.scrape().contains("resilient_"), prometheus.scrape());
    }

    /** Samples of the target in Prometheus text, keyed by name and the labels other than target ({@code name{k="v"}}). */
    private static Map<String, Double> samples(String text, String target) {
        Map<String, Double> out = new HashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} (\\S+)$");
        for (String l : text.split("\n")) {
            Matcher m = line.matcher(l);
            if (!m.matches() || !m.group(2).contains("target=\"" + target + "\"")) {
                continue;
            }
            String labels = String.join(",", java.util.Arrays.stream(m.group(2).split(","))
                    .filter(kv -> !kv.isEmpty() && !kv.startsWith("target=")).sorted().toList());
            out.put(m.group(1) + "{" + labels + "}", Double.parseDouble(m.group(3)));
        }
        return out;
    }

    @Test
    void theGlobalRegistryWhenTheOptionSaysSo() throws Exception {
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(simple);
        try {
            String db = "mm_global";
            String t = target(db);
            String url = url(db);
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
            assertEquals(List.of(), ours(simple, t), "without the option and without bindTo nothing is published to Micrometer");
            try (Connection c = DriverManager.getConnection(url + "&resilient.metrics.micrometer=true"); Statement s = c.createStatement()) {
                for (int i = 0; i < 3; i++) {
                    try (ResultSet rs = s.executeQuery("SELECT " + i)) {
                        assertTrue(rs.next());
                    }
                }
            }
            Map<String, Double> dw = dropwizard(t);
            assertEquals(dw.size(), ours(simple, t).size(), ours(simple, t).toString());
            // Bound on the second connect: the timer counts the calls from then on.
            assertEquals(3, simple.get("resilient.calls").tag("target", t).tag("kind", "query").timer().count());
            ResilientDriver.targets().close();
            assertEquals(List.of(), ours(simple, t), "closing the targets removed them from the global registry too");
        } finally {
            Metrics.globalRegistry.remove(simple);
        }
    }
}
