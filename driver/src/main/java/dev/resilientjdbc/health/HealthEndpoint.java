package dev.resilientjdbc.health;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The opt-in HTTP endpoint ({@code resilient.http.port}): {@code /metrics} in Prometheus text format
 * (through the Prometheus client's Dropwizard bridge), {@code /health} as JSON, and {@code /} — a
 * small page that refreshes itself, for a person watching an incident. One per JVM; its one thread
 * is named, daemon, and stopped by {@link #stop()}.
 */
public final class HealthEndpoint {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.health");
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static HttpServer server;
    private static ExecutorService executor;
    private static String running;
    private static final java.util.Set<String> IGNORED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // The executor's threads, joined on stop: awaitTermination returns a moment before its last thread has exited.
    private static final java.util.List<Thread> THREADS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private HealthEndpoint() {}

    /**
     * Starts the endpoint on {@code bind:port} for {@code registry}, requiring {@code token} as a bearer
     * token when it is not empty. One per JVM: when one already runs, a request for another address or
     * token is ignored, and a WARNING says so once.
     */
    public static void start(String bind, int port, String token, MetricRegistry registry) {
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
            CollectorRegistry prometheus = new CollectorRegistry();
            new DropwizardExports(registry).register(prometheus);
            HttpServer s = HttpServer.create(new InetSocketAddress(bind, port), 16);
            s.createContext("/", ex -> {
                try {
                    serve(ex, prometheus, token);
                } finally {
                    ex.close();
                }
            });
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "resilient-http-" + s.getAddress().getPort());
                t.setDaemon(true);
                THREADS.add(t);
                return t;
            });
            s.setExecutor(executor);
            s.start();
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
    private static void serve(HttpExchange ex, CollectorRegistry prometheus, String token) throws IOException {
        if (!token.isEmpty() && !carries(ex, token)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"resilient-jdbc\"");
            send(ex, 401, "text/plain", "a bearer token is required");
            return;
        }
        String path = ex.getRequestURI().getRawPath();
        if (!path.equals("/") && !path.equals("/metrics") && !path.equals("/health")) {
            send(ex, 404, "text/plain", "not found");
            return;
        }
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            send(ex, 405, "text/plain", "method not allowed");
            return;
        }
        switch (path) {
            case "/metrics": {
                StringWriter w = new StringWriter();
                TextFormat.write004(w, prometheus.metricFamilySamples());
                send(ex, 200, TextFormat.CONTENT_TYPE_004, w.toString());
                break;
            }
            case "/health": {
                String json = HealthReport.json();
                send(ex, json.startsWith("{\"status\":\"unhealthy\"") ? 503 : 200, "application/json", json);
                break;
            }
            default:
                send(ex, 200, "text/html; charset=utf-8", page());
        }
    }

    private static boolean carries(HttpExchange ex, String token) {
        String given = ex.getRequestHeaders().getFirst("Authorization");
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        // constant time: how much of a guess was right must not show in the answer's timing
        return given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
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
        HttpServer s = server;
        return s == null ? -1 : s.getAddress().getPort();
    }

    public static void stop() {
        LOCK.lock();
        try {
            if (server != null) {
                server.stop(0);
                executor.shutdownNow();
                try {
                    // Its thread is gone when stop() returns, as with every thread we start.
                    executor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
                    for (Thread t : THREADS) {
                        t.join(5_000);
                    }
                    THREADS.clear();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                server = null;
                executor = null;
                running = null;
                IGNORED.clear();
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1); // headers only
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
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
