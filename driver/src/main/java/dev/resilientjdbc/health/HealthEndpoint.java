package dev.resilientjdbc.health;

import com.codahale.metrics.MetricRegistry;
import dev.resilientjdbc.health.BoundedHttpServer.Request;
import dev.resilientjdbc.health.BoundedHttpServer.Response;
import dev.resilientjdbc.retry.TargetGuard;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The opt-in HTTP endpoint ({@code resilient.http.port}): {@code /metrics} in Prometheus text format
 * (through the Prometheus client's Dropwizard bridge, {@code prometheus-metrics-instrumentation-dropwizard}
 * of the 1.x client, written by its text format writer with dots escaped to underscores as before), {@code /health} as JSON, and {@code /} — a
 * small page that refreshes itself, for a person watching an incident. One per JVM; served by a
 * {@link BoundedHttpServer} whose named daemon threads end with {@link #stop()}.
 */
public final class HealthEndpoint {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.health");
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile BoundedHttpServer server; // written under LOCK; read without it by port()
    private static String running;
    // No _created lines (the 0.16 client wrote none for Dropwizard metrics either).
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final java.util.Set<String> IGNORED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private HealthEndpoint() {}

    /**
     * Starts the endpoint on {@code bind:port} for {@code registry}, requiring {@code token} as a bearer
     * token when it is not empty. One per JVM: when one already runs, a request for another address or
     * token is ignored, and a WARNING says so once.
     */
    public static void start(String bind, int port, String token, MetricRegistry registry,
                             Supplier<? extends Collection<TargetGuard>> guards) {
        LOCK.lock();
        try {
            if (server != null) {
                String asked = bind + ":" + port + (token.isEmpty() ? "" : " with a token");
                if (!asked.equals(running) && IGNORED.add(asked)) {
                    LOG.log(Level.WARNING, "resilient-jdbc: the HTTP endpoint already runs as {0}; another target''s"
                            + " request for {1} is ignored (one endpoint per JVM, the first target''s settings apply)",
                            new Object[]{running, asked});
                }
                return;
            }
            // A registry of our own, never the client's defaultRegistry: the application may use that one itself.
            PrometheusRegistry prometheus = new PrometheusRegistry();
            prometheus.register(new DropwizardExports(registry));
            BoundedHttpServer s = new BoundedHttpServer(new InetSocketAddress(bind, port), r -> serve(r, prometheus, token, guards));
            server = s;
            running = bind + ":" + port + (token.isEmpty() ? "" : " with a token");
            LOG.log(Level.INFO, "resilient-jdbc: health and metrics at http://{0}:{1}/{2}",
                    new Object[]{bind, String.valueOf(port()), token.isEmpty() ? "" : " (bearer token required)"});
            if (!loopback(bind)) {
                LOG.log(Level.WARNING, "resilient-jdbc: the HTTP endpoint listens on {0}, beyond loopback: metrics and health"
                        + " (target hosts, databases, error rates) are open to the network{1}", new Object[]{bind,
                        token.isEmpty() ? " to anyone; set resilient.http.token to require a bearer token" : " to holders of the token"});
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "resilient-jdbc: cannot serve health and metrics on " + bind + ":" + port + ": " + e);
        } finally {
            LOCK.unlock();
        }
    }

    /** Only GET and HEAD, only on the exact paths below; with a token set, only for requests that carry it. */
    private static Response serve(Request r, PrometheusRegistry prometheus, String token,
                                  Supplier<? extends Collection<TargetGuard>> guards) throws IOException {
        if (!token.isEmpty() && !carries(r, token)) {
            return new Response(401, "text/plain", bytes("a bearer token is required"),
                    Map.of("WWW-Authenticate", "Bearer realm=\"resilient-jdbc\""));
        }
        String path = r.rawPath();
        if (!path.equals("/") && !path.equals("/metrics") && !path.equals("/health")) {
            return Response.text(404, "not found");
        }
        if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
            return new Response(405, "text/plain", bytes("method not allowed"), Map.of("Allow", "GET, HEAD"));
        }
        switch (path) {
            case "/metrics": {
                // Text format 0.0.4, names as the 0.16 client wrote them: '.' and '-' become '_'.
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                TEXT.write(out, prometheus.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
                return new Response(200, PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray(), Map.of());
            }
            case "/health": {
                String json = HealthReport.json(guards.get());
                return new Response(json.startsWith("{\"status\":\"unhealthy\"") ? 503 : 200, "application/json", bytes(json), Map.of());
            }
            default:
                return new Response(200, "text/html; charset=utf-8", bytes(page()), Map.of());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean carries(Request r, String token) {
        String given = r.headers().get("authorization");
        if (given == null) {
            return false;
        }
        // RFC 7235: the scheme is case-insensitive and followed by one or more spaces ("bearer  abc" is valid).
        given = given.strip();
        int space = given.indexOf(' ');
        if (space < 0 || !given.substring(0, space).equalsIgnoreCase("Bearer")) {
            return false;
        }
        byte[] expected = token.getBytes(StandardCharsets.UTF_8);
        // constant time: how much of a guess was right must not show in the answer's timing
        return MessageDigest.isEqual(expected, given.substring(space + 1).stripLeading().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean loopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port it listens on, or -1. */
    public static int port() {
        BoundedHttpServer s = server;
        return s == null ? -1 : s.port();
    }

    public static void stop() {
        LOCK.lock();
        try {
            if (server != null) {
                server.stop(); // its threads are gone when stop() returns, as with every thread we start
                server = null;
                running = null;
                IGNORED.clear();
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static String page() throws IOException {
        try (InputStream in = HealthEndpoint.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IOException("dashboard.html missing from the driver jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
