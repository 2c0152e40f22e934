package dev.resilientjdbc.health;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoint answers GET and HEAD on its exact paths, asks for the token when one is set, and says when it is exposed. */
class HealthEndpointAccessTest {
    private static final String TOKEN = "Hunter2Secret-token-0123456789";
    // Held here: a Logger only the LogManager refers to may be collected and made anew without our handler.
    private static final Logger HEALTH_LOG = Logger.getLogger("dev.resilientjdbc.health");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @AfterEach
    void stop() {
        HealthEndpoint.stop();
        HEALTH_LOG.removeHandler(capture);
    }

    private int start(String bind, String token) throws Exception {
        HEALTH_LOG.addHandler(capture);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        HealthEndpoint.start(bind, port, token, new MetricRegistry(), java.util.List::of);
        assertEquals(port, HealthEndpoint.port());
        return port;
    }

    private static HttpResponse<String> call(int port, String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String logText() {
        StringBuilder sb = new StringBuilder();
        for (LogRecord r : logged) {
            sb.append(r.getLevel()).append(' ').append(java.text.MessageFormat.format(r.getMessage(),
                    r.getParameters() == null ? new Object[0] : r.getParameters())).append('\n');
        }
        return sb.toString();
    }

    @Test
    void onlyGetAndHeadOnTheExactPaths() throws Exception {
        int port = start("127.0.0.1", "");
        for (String path : new String[]{"/", "/metrics", "/health"}) {
            assertTrue(List.of(200, 503).contains(call(port, "GET", path, null).statusCode()), path);
            HttpResponse<String> head = call(port, "HEAD", path, null);
            assertTrue(List.of(200, 503).contains(head.statusCode()) && head.body().isEmpty(), path);
            for (String method : new String[]{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
                HttpResponse<String> r = call(port, method, path, null);
                assertEquals(405, r.statusCode(), method + " " + path);
                assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""), method + " " + path);
            }
        }
        for (String path : new String[]{"/healthXYZ", "/metrics/../x", "/metrics/", "/health/", "/x", "/metricsz", "/%2e%2e/health"}) {
            assertEquals(404, call(port, "GET", path, null).statusCode(), path);
        }
        assertFalse(logText().contains("WARNING"), "loopback is no warning: " + logText());
    }

    @Test
    void aTokenIsRequiredWhenSetAndNeverLogged() throws Exception {
        int port = start("127.0.0.1", TOKEN);
        for (String path : new String[]{"/", "/metrics", "/health", "/nothing"}) {
            HttpResponse<String> none = call(port, "GET", path, null);
            assertEquals(401, none.statusCode(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
            assertEquals(401, call(port, "GET", path, "Bearer " + TOKEN.substring(1)).statusCode(), path);
            assertEquals(401, call(port, "GET", path, "Basic " + TOKEN).statusCode(), path);
            assertFalse(call(port, "GET", path, "Bearer " + TOKEN).body().contains(TOKEN), path);
        }
        assertEquals(200, call(port, "GET", "/metrics", "Bearer " + TOKEN).statusCode());
        // The scheme is case-insensitive and may be followed by several spaces (RFC 7235); the token itself is exact.
        assertEquals(200, call(port, "GET", "/metrics", "bearer " + TOKEN).statusCode());
        assertEquals(200, call(port, "GET", "/metrics", "BEARER   " + TOKEN).statusCode());
        assertEquals(401, call(port, "GET", "/metrics", "Bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)).statusCode());
        assertEquals(401, call(port, "GET", "/metrics", "Basic " + TOKEN).statusCode());
        assertEquals(401, call(port, "GET", "/metrics", TOKEN).statusCode());
        assertEquals(404, call(port, "GET", "/nothing", "Bearer " + TOKEN).statusCode());
        HealthEndpoint.start("127.0.0.1", port + 1, "another-token-0123456789", new MetricRegistry(), java.util.List::of);
        String log = logText();
        assertTrue(log.contains("WARNING") && log.contains(String.valueOf(port + 1)), "the ignored port is told: " + log);
        assertFalse(log.contains(TOKEN) || log.contains("another-token"), log);
    }

    @Test
    void aHalfSentRequestIsDroppedAtItsDeadlineAndBlocksNobody() throws Exception {
        int port = start("127.0.0.1", "");
        try (java.net.Socket half = new java.net.Socket("127.0.0.1", port)) {
            half.getOutputStream().write("GET /health HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            assertEquals(200, call(port, "GET", "/metrics", null).statusCode());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000, "answered beside the half-sent request");
            half.setSoTimeout(10_000);
            assertEquals(-1, half.getInputStream().read(), "closed without an answer");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < BoundedHttpServer.HEAD_DEADLINE_MS + 2_000, "dropped after " + ms + " ms");
        }
    }

    @Test
    void twoHundredSilentClientsDoNotFreezeIt() throws Exception {
        int port = start("127.0.0.1", "");
        List<java.net.Socket> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", port);
                s.getOutputStream().write('G');
                idle.add(s);
            }
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, call(port, "GET", "/metrics", null).statusCode());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 2_000, "answered in " + ms + " ms beside 200 silent clients");
            }
        } finally {
            for (java.net.Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void anAddressThatDoesNotResolveIsAWarningNotAnException() throws Exception {
        HEALTH_LOG.addHandler(capture);
        HealthEndpoint.start("no-such-host.invalid", 1, "", new MetricRegistry(), java.util.List::of);
        assertEquals(-1, HealthEndpoint.port());
        assertTrue(logText().contains("WARNING") && logText().contains("no-such-host.invalid"), logText());
    }

    @Test
    void beyondLoopbackIsAWarning() throws Exception {
        start("0.0.0.0", "");
        String log = logText();
        assertTrue(log.contains("WARNING") && log.contains("0.0.0.0") && log.contains("resilient.http.token"), log);
    }
}
