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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
    // The executor's threads, joined on stop: awaitTermination returns a moment before its last thread has exited.
    private static final java.util.List<Thread> THREADS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private HealthEndpoint() {}

    /** Starts the endpoint on {@code bind:port} for {@code registry}; when one already runs, nothing happens. */
    public static void start(String bind, int port, MetricRegistry registry) {
        LOCK.lock();
        try {
            if (server != null) {
                return;
            }
            CollectorRegistry prometheus = new CollectorRegistry();
            new DropwizardExports(registry).register(prometheus);
            HttpServer s = HttpServer.create(new InetSocketAddress(bind, port), 16);
            s.createContext("/metrics", ex -> {
                StringWriter w = new StringWriter();
                TextFormat.write004(w, prometheus.metricFamilySamples());
                send(ex, 200, TextFormat.CONTENT_TYPE_004, w.toString());
            });
            s.createContext("/health", ex -> {
                String json = HealthReport.json();
                send(ex, json.startsWith("{\"status\":\"unhealthy\"") ? 503 : 200, "application/json", json);
            });
            s.createContext("/", ex -> {
                if (!ex.getRequestURI().getPath().equals("/")) {
                    send(ex, 404, "text/plain", "not found");
                    return;
                }
                send(ex, 200, "text/html; charset=utf-8", page());
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
            LOG.log(Level.INFO, "resilient-jdbc: health and metrics at http://{0}:{1}/", new Object[]{bind, String.valueOf(port())});
        } catch (IOException e) {
            LOG.log(Level.WARNING, "resilient-jdbc: cannot serve health and metrics on " + bind + ":" + port + ": " + e);
        } finally {
            LOCK.unlock();
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
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
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
