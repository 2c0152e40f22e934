package dev.resilientjdbc.it.health;


import dev.resilientjdbc.health.HealthEndpoint;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Polling /health must not use up the database's sessions (issue 17 point 4): sessions are counted by
 * the server itself (log_connections), so one opened and closed between two looks is counted too.
 */
class HealthProbeSessionsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration INTERVAL = Duration.ofSeconds(3);

    @Test
    void fiftyHealthRequestsOpenAtMostOneSessionAndADownServerIsSeenWithinTheInterval() throws Exception {
        HealthEndpoint.stop();
        ResilientDriver.targets().close();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (PgServer pg = PgServer.builder().setting("log_connections", "on").start()) {
            // Metrics off: no call of the application is observed, so only the cached probe can answer.
            String url = pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres&resilient.http.port=" + port
                    + "&resilient.metrics.enabled=false&resilient.health.probeInterval=" + INTERVAL.toMillis() + "ms";
            try (Connection c = DriverManager.getConnection(url)) {
                assertTrue(c.isValid(2));
            }
            assertEquals(port, HealthEndpoint.port());
            long before = sessionsAuthorized(pg);
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> r = get(port);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains(".reachable\":{\"status\":\"healthy\""), r.body());
            }
            long opened = sessionsAuthorized(pg) - before;
            assertTrue(opened <= 1, "50 GET /health opened " + opened + " database sessions; at most one probe per interval");

            pg.stopFast();
            long stopped = System.nanoTime();
            HttpResponse<String> r = get(port);
            // Polled, not slept: the cached "healthy" may stand until the interval has passed, not longer.
            while (r.statusCode() != 503 && System.nanoTime() - stopped < INTERVAL.plusSeconds(5).toNanos()) {
                Thread.sleep(50);
                r = get(port);
            }
            long took = Duration.ofNanos(System.nanoTime() - stopped).toMillis();
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("cannot connect"), r.body());
            assertTrue(took <= INTERVAL.toMillis() + 2_000, "a down server reported after " + took + " ms");
        } finally {
            HealthEndpoint.stop();
            ResilientDriver.targets().close();
        }
    }

    private static HttpResponse<String> get(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long sessionsAuthorized(PgServer pg) throws Exception {
        return Files.readAllLines(pg.logFile()).stream().filter(l -> l.contains("connection authorized")).count();
    }
}
