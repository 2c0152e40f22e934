package dev.resilientjdbc.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small HTTP/1.1 server that one slow or silent client cannot freeze: request heads are read by a
 * single selector thread without blocking, each within a deadline and a size bound, with a bounded
 * number held open at once (the oldest is dropped for a new one); only complete requests reach the
 * bounded worker pool. The JDK's own server reads request heads on its workers, with no time limit
 * short of JVM-wide system properties, so one half-sent request held the endpoint.
 */
final class BoundedHttpServer {
    static final int MAX_HEAD_BYTES = 8192;
    static final long HEAD_DEADLINE_MS = 3_000;
    static final long WRITE_DEADLINE_MS = 3_000;
    static final int MAX_PENDING = 64;
    private static final int WORKERS = 2;
    private static final int QUEUE = 16;

    /** One request: method, path as sent (undecoded, without the query) and headers by lower-case name. */
    record Request(String method, String rawPath, Map<String, String> headers) {}

    /** One response; the body is left out for HEAD. */
    record Response(int status, String type, byte[] body, Map<String, String> headers) {
        static Response text(int status, String body) {
            return new Response(status, "text/plain", body.getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    interface Handler {
        Response handle(Request r) throws IOException;
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Handler handler;
    private final ThreadPoolExecutor workers;
    private final Thread loop;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Deque<Pending> pending = new ArrayDeque<>();
    private volatile boolean running = true;

    private static final class Pending {
        final SocketChannel channel;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEAD_DEADLINE_MS);
        final ByteBuffer head = ByteBuffer.allocate(MAX_HEAD_BYTES);

        Pending(SocketChannel channel) {
            this.channel = channel;
        }
    }

    BoundedHttpServer(InetSocketAddress address, Handler handler) throws IOException {
        this.handler = handler;
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve " + address.getHostString()); // NIO would throw an unchecked one
        }
        this.server = ServerSocketChannel.open();
        try {
            server.bind(address, 64);
            server.configureBlocking(false);
            this.selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        String name = "resilient-http-" + port();
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
        this.loop = new Thread(this::run, name);
        loop.setDaemon(true);
        threads.add(loop);
        loop.start();
    }

    int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Stops accepting, drops what is pending, and returns when every thread of ours has ended. */
    void stop() {
        running = false;
        selector.wakeup();
        workers.shutdownNow();
        try {
            for (Thread t : threads) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (running) {
                selector.select(100);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        read(key);
                    }
                }
                expire();
            }
        } catch (IOException | RuntimeException e) {
            java.util.logging.Logger.getLogger("dev.resilientjdbc.health")
                    .warning("resilient-jdbc: the HTTP endpoint stopped: " + e);
        } finally {
            pending.forEach(p -> close(p.channel));
            pending.clear();
            close(selector);
            close(server);
        }
    }

    private void accept() throws IOException {
        SocketChannel c;
        while ((c = server.accept()) != null) {
            if (pending.size() >= MAX_PENDING) {
                close(pending.removeFirst().channel); // the oldest unfinished request makes room for a new client
            }
            c.configureBlocking(false);
            Pending p = new Pending(c);
            c.register(selector, SelectionKey.OP_READ, p);
            pending.addLast(p);
        }
    }

    private void read(SelectionKey key) {
        Pending p = (Pending) key.attachment();
        try {
            int n = p.channel.read(p.head);
            int end = headEnd(p.head);
            if (end < 0 && n >= 0 && p.head.hasRemaining()) {
                return; // more to come
            }
            key.cancel();
            pending.remove(p);
            if (end < 0) {
                if (n >= 0) {
                    write(p.channel, Response.text(431, "request head too large"), false);
                }
                close(p.channel);
                return;
            }
            dispatch(p.channel, new String(p.head.array(), 0, end, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            key.cancel();
            pending.remove(p);
            close(p.channel);
        }
    }

    private void dispatch(SocketChannel c, String head) {
        Request r = parse(head);
        if (r == null) {
            write(c, Response.text(400, "bad request"), false);
            close(c);
            return;
        }
        try {
            workers.execute(() -> {
                Response out;
                try {
                    out = handler.handle(r);
                } catch (IOException | RuntimeException e) {
                    out = Response.text(500, "internal error");
                }
                write(c, out, r.method().equals("HEAD"));
                close(c);
            });
        } catch (RejectedExecutionException busy) {
            write(c, Response.text(503, "busy"), false);
            close(c);
        }
    }

    private void expire() {
        long now = System.nanoTime();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (now - p.deadline > 0) {
                it.remove();
                SelectionKey k = p.channel.keyFor(selector);
                if (k != null) {
                    k.cancel();
                }
                close(p.channel); // a request head that did not arrive in time
            }
        }
    }

    /** Where the head ends (after its blank line), or -1. */
    private static int headEnd(ByteBuffer b) {
        byte[] a = b.array();
        for (int i = 3; i < b.position(); i++) {
            if (a[i - 3] == '\r' && a[i - 2] == '\n' && a[i - 1] == '\r' && a[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    static Request parse(String head) {
        String[] lines = head.split("\r\n");
        String[] first = lines[0].split(" ");
        if (first.length != 3 || !first[2].startsWith("HTTP/1.") || first[0].isEmpty()) {
            return null;
        }
        String target = first[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Request(first[0], path, headers);
    }

    /** Writes without blocking for longer than the write deadline: a client that does not read is dropped. */
    private static void write(SocketChannel c, Response r, boolean headOnly) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
        sb.append("Content-Type: ").append(r.type()).append("\r\n");
        sb.append("Content-Length: ").append(r.body().length).append("\r\n");
        sb.append("Cache-Control: no-store\r\nConnection: close\r\n");
        r.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("\r\n");
        byte[] headBytes = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(headBytes.length + (headOnly ? 0 : r.body().length));
        out.put(headBytes);
        if (!headOnly) {
            out.put(r.body());
        }
        out.flip();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_DEADLINE_MS);
        try {
            while (out.hasRemaining() && System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
                if (c.write(out) == 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                }
            }
        } catch (IOException gone) {
            // the client left; nothing to tell it
        }
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 431: return "Request Header Fields Too Large";
            case 503: return "Service Unavailable";
            default: return "Error";
        }
    }

    private static void close(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
