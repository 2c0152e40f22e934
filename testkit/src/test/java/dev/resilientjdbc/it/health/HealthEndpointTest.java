package dev.resilientjdbc.it.health;


import dev.resilientjdbc.health.HealthEndpoint;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.it.browser.HeadlessChromium;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP endpoint over real HTTP against a real PostgreSQL, and its page in a real headless Chromium. */
@PgTest
class HealthEndpointTest {
    private static PgServer pg;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(PgServer server) throws Exception {
        pg = server;
        ResilientDriver.targets().close(); // targets of earlier test classes, whose servers are gone, are not this test's business
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres&resilient.http.port=" + port;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (int i = 0; i < 30; i++) {
                try (ResultSet rs = s.executeQuery("SELECT " + i)) {
                    rs.next();
                }
            }
        }
        assertEquals(port, HealthEndpoint.port());
    }

    @AfterAll
    static void stop() {
        HealthEndpoint.stop();
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("resilient-http-") && t.isAlive()),
                "the endpoint's thread ends with it");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsInPrometheusTextFormat() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String target = "resilient_postgresql_127_0_0_1_" + pg.port() + "_test";
        assertTrue(r.body().contains(target + "_calls_query_count"), r.body().substring(0, Math.min(2000, r.body().length())));
        assertTrue(r.body().contains(target + "_reconnect_count"));
        assertTrue(r.body().contains("# TYPE " + target + "_calls_query summary"));
        // Parsed: every sample line is "name value"; the values are what happened.
        java.util.Map<String, Double> samples = new java.util.HashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int sp = line.lastIndexOf(' ');
                samples.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        assertEquals(30.0, samples.get(target + "_calls_query_count"), "the 30 queries run at start");
        assertEquals(0.0, samples.get(target + "_reconnect_count"), "no reconnect happened");
        assertEquals(0.0, samples.get(target + "_breaker_state"), "breaker closed");
    }

    @Test
    void healthIsJsonAndTurnsUnhealthyWhenTheServerIsDown() throws Exception {
        HttpResponse<String> up = get("/health");
        assertEquals(200, up.statusCode(), up.body());
        assertTrue(up.body().startsWith("{\"status\":\"healthy\""), up.body());
        assertTrue(up.body().contains(".reachable\":{\"status\":\"healthy\""), up.body());
        pg.stopFast();
        try {
            // The last probe's answer may stand for one resilient.health.probeInterval (5 s by default).
            HttpResponse<String> down = get("/health");
            for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos(); down.statusCode() != 503 && System.nanoTime() < end; ) {
                Thread.sleep(100);
                down = get("/health");
            }
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().startsWith("{\"status\":\"unhealthy\""), down.body());
            assertTrue(down.body().contains("cannot connect"), down.body());
        } finally {
            pg.start();
            // Back to healthy within one probe interval too, so the other tests see a healthy target.
            HttpResponse<String> back = get("/health");
            for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos(); back.statusCode() != 200 && System.nanoTime() < end; ) {
                Thread.sleep(100);
                back = get("/health");
            }
            assertEquals(200, back.statusCode(), back.body());
        }
    }

    @Test
    void pageRendersInHeadlessChromium() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>resilient-jdbc</title>"));
        HeadlessChromium browser = HeadlessChromium.window(1200, 700);
        browser.screenshot("http://127.0.0.1:" + port + "/", "dashboard.png");
        String dom = browser.dom("http://127.0.0.1:" + port + "/");
        assertTrue(dom.contains("class=\"healthy\">healthy</span>"), "the page filled itself from /health: " + dom);
        assertTrue(dom.contains(".reachable"), dom);
    }
}
