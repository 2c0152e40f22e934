package dev.resilientjdbc.health;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.metrics.MetricsTracker;
import dev.resilientjdbc.metrics.ResilientMetrics;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.RetrySettings;
import dev.resilientjdbc.retry.TargetGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code /metrics} on the 1.x Prometheus client writes what the 0.16 client wrote: text format 0.0.4,
 * every Dropwizard name with '.' and '-' turned into '_', gauges as gauges, timers and histograms as
 * summaries with the quantiles 0.5 to 0.999 and {@code _count}, meters as {@code _total} counters —
 * checked for each metric of a bound target and each kind HikariCP registers, by parsing the text.
 */
class PrometheusExpositionTest {
    private static final String[] QUANTILES = {"0.5", "0.75", "0.95", "0.98", "0.99", "0.999"};
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)$");

    @AfterEach
    void stop() {
        HealthEndpoint.stop();
    }

    private static String prometheusName(String dropwizard) {
        return dropwizard.replaceAll("[^a-zA-Z0-9_:]", "_");
    }

    @Test
    void namesTypesAndValuesAreThoseOfTheDropwizardRegistry() throws Exception {
        MetricRegistry r = new MetricRegistry();
        TargetGuard guard = new TargetGuard("jdbc:postgresql://db1:5432/app", RetrySettings.from(ResilientConfig.defaults()));
        MetricsTracker tracker = ResilientMetrics.bind(guard, "postgresql_db1_5432_app", r);
        for (int i = 1; i <= 3; i++) {
            guard.observer().took(CallObserver.Kind.QUERY, i * 1_000_000L, false, System.nanoTime());
        }
        guard.stats().onReconnected();
        // What HikariCP's Dropwizard tracker registers: a timer, histograms, a meter and gauges, with capitals and '-'.
        r.timer("resilient-pool-1.pool.Wait").update(5, TimeUnit.MILLISECONDS);
        r.histogram("resilient-pool-1.pool.Usage").update(3);
        r.meter("resilient-pool-1.pool.ConnectionTimeoutRate").mark(2);
        r.gauge("resilient-pool-1.pool.TotalConnections", () -> () -> 4);

        HealthEndpoint.start("127.0.0.1", 0, "", r, java.util.List::of);
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + HealthEndpoint.port() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", res.headers().firstValue("Content-Type").orElse(""));

        Map<String, String> types = new HashMap<>();
        Map<String, Double> samples = new HashMap<>();
        for (String line : res.body().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                types.put(p[2], p[3]);
            } else if (!line.startsWith("#") && !line.isEmpty()) {
                Matcher m = SAMPLE.matcher(line);
                assertEquals(true, m.matches(), "a sample line of text format 0.0.4: " + line);
                String labels = m.group(3) == null ? "" : m.group(3).replaceAll(",$", "");
                samples.put(m.group(1) + (labels.isEmpty() ? "" : "{" + labels + "}"), Double.parseDouble(m.group(4)));
            }
        }
        Set<String> expected = new HashSet<>();
        r.getGauges().forEach((n, g) -> {
            String p = prometheusName(n);
            expected.add(p);
            assertEquals("gauge", types.get(p), n);
            assertEquals(((Number) ((Gauge<?>) g).getValue()).doubleValue(), samples.get(p), n);
        });
        Map<String, Long> summaries = new HashMap<>();
        r.getTimers().forEach((n, t) -> summaries.put(n, t.getCount()));
        r.getHistograms().forEach((n, h) -> summaries.put(n, h.getCount()));
        summaries.forEach((n, count) -> {
            String p = prometheusName(n);
            expected.add(p);
            assertEquals("summary", types.get(p), n);
            assertEquals((double) count, samples.get(p + "_count"), n);
            for (String q : QUANTILES) {
                assertNotNull(samples.get(p + "{quantile=\"" + q + "\"}"), n + " quantile " + q);
            }
        });
        r.getMeters().forEach((n, m) -> {
            String p = prometheusName(n) + "_total";
            expected.add(p);
            assertEquals("counter", types.get(p), n);
            assertEquals((double) m.getCount(), samples.get(p), n);
        });
        assertEquals(expected, types.keySet(), "exactly the registry's metrics, under the names the 0.16 client gave them");
        // Spot checks of names dashboards use.
        assertEquals(1.0, samples.get("resilient_postgresql_db1_5432_app_reconnect_count"));
        assertEquals(3.0, samples.get("resilient_postgresql_db1_5432_app_calls_query_count"));
        assertEquals(0.005, samples.get("resilient_pool_1_pool_Wait{quantile=\"0.5\"}"), 1e-9);
        tracker.close();
    }
}
