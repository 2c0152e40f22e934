package dev.resilientjdbc.control.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 between a JDBC driver and its server that injects real network faults:
 * connections cut with RST, a blackhole (bytes accepted, nothing forwarded), lost server replies,
 * refused connects and added latency — switchable at any moment from any thread. One named daemon
 * selector thread does all I/O; control calls are queued to it. Memory per connection is bounded:
 * a side that cannot take more bytes stops the other side's reads.
 */
public final class ChaosProxy implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;
    private static final int MAX_QUEUED = 1 << 20;
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String targetHost;
    private final int targetPort;
    private final ServerSocketChannel server;
    private final Selector selector;
    // Every read lands here first; only the selector thread reads.
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(CHUNK);
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final List<Pair> pairs = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong clientToServer = new AtomicLong();
    private final AtomicLong serverToClient = new AtomicLong();
    private volatile boolean blackhole;
    private volatile boolean dropServerReplies;
    private volatile boolean refuseNew;
    private volatile long latencyNanos;
    private volatile byte[] dropRepliesTrigger;
    // Disarm the trigger once it has struck one connection (a retry on a new connection then goes through).
    private volatile boolean dropRepliesOnce;
    private volatile byte[] dropRequestsTrigger;
    private volatile byte[] holdRequestsTrigger;
    private final AtomicLong heldBytes = new AtomicLong();
    private volatile long jitterNanos;
    private volatile long closeAfterBytes = -1;
    private final java.util.Random random = new java.util.Random(42); // selector thread only: reproducible jitter
    private volatile boolean running = true;

    private ChaosProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::loop, "chaos-proxy-" + SEQ.incrementAndGet() + "-" + port());
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts a proxy listening on an ephemeral port of 127.0.0.1 that forwards to the target. */
    public static ChaosProxy start(String targetHost, int targetPort) {
        try {
            return new ChaosProxy(targetHost, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start chaos proxy", e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** Connection pairs open now. */
    public int openConnections() {
        return open.get();
    }

    public long totalAccepted() {
        return accepted.get();
    }

    public long bytesClientToServer() {
        return clientToServer.get();
    }

    public long bytesServerToClient() {
        return serverToClient.get();
    }

    /** Closes every open connection with RST on both sides; new connections are accepted afterwards. */
    public void cutAll() {
        CountDownLatch done = new CountDownLatch(1);
        run(() -> {
            for (Pair p : new ArrayList<>(pairs)) {
                p.close(true);
            }
            done.countDown();
        });
        await(done);
    }

    /** While on: connections are accepted (and connected upstream) but no byte is forwarded either way; bytes read are dropped. */
    public void blackhole(boolean on) {
        blackhole = on;
        selector.wakeup();
    }

    /** While on: client bytes reach the server, server bytes are dropped — the server does the work, the client never hears. */
    public void dropServerReplies(boolean on) {
        dropServerReplies = on;
        selector.wakeup();
    }

    /**
     * From the moment a client sends bytes containing {@code trigger} (for example the text of a
     * COMMIT), that one connection's server replies are dropped: the server does the work, the client
     * never hears. Other connections are untouched. Null turns it off. A statement prepared by name
     * earlier on the connection and now only bound (pgjdbc's server-prepared statements) counts as
     * sending its text.
     */
    public void dropRepliesAfterClientSends(String trigger) {
        dropRepliesOnce = false;
        dropRepliesTrigger = trigger == null ? null : trigger.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** As {@link #dropRepliesAfterClientSends}, for the first connection that sends {@code trigger} only. */
    public void dropRepliesOnceAfterClientSends(String trigger) {
        dropRepliesOnce = true;
        dropRepliesTrigger = trigger.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The first connection whose client sends bytes containing {@code trigger} (for example the text
     * of a COMMIT) has that chunk and every later client byte dropped: the request never reaches the
     * server, which waits for it while the client waits for a reply. Other connections are untouched.
     */
    public void dropRequestsOnceContaining(String trigger) {
        dropRequestsTrigger = trigger.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The first connection whose client sends bytes containing {@code trigger} has that chunk and every later client
     * byte held back: not forwarded, not dropped. With {@link #cutHeldClients} its client side dies while its server
     * side stays open, and {@link #releaseHeld} delivers the held bytes late — as a request stuck in the network (or in
     * a pooler) reaches the server after the client gave up on it.
     */
    public void holdRequestsOnceContaining(String trigger) {
        holdRequestsTrigger = trigger.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A {@link #holdRequestsOnceContaining} trigger still waits for its connection. */
    public boolean holdTriggerArmed() {
        return holdRequestsTrigger != null;
    }

    /** Bytes held back by {@link #holdRequestsOnceContaining} so far (delivered or not). */
    public long heldBytes() {
        return heldBytes.get();
    }

    /** The client side of every connection holding bytes is reset (RST); its server side stays open, bytes still held. */
    public void cutHeldClients() {
        CountDownLatch done = new CountDownLatch(1);
        run(() -> {
            for (Pair p : new ArrayList<>(pairs)) {
                if (p.held != null) {
                    p.clientGone(true);
                }
            }
            done.countDown();
        });
        await(done);
    }

    /** Held bytes go to the server now, in order; the connection's server side stays open, its replies dropped. */
    public void releaseHeld() {
        CountDownLatch done = new CountDownLatch(1);
        run(() -> {
            for (Pair p : new ArrayList<>(pairs)) {
                if (p.held != null) {
                    long now = System.nanoTime();
                    for (ByteBuffer b : p.held) {
                        p.toServer.chunks.add(b);
                        p.toServer.due.add(now);
                        p.toServer.queued += b.remaining();
                    }
                    p.held = null;
                    p.flush();
                }
            }
            done.countDown();
        });
        await(done);
    }

    /** A {@link #dropRequestsOnceContaining} trigger still waits for its connection: false once it struck (or was reset). */
    public boolean dropRequestTriggerArmed() {
        return dropRequestsTrigger != null;
    }

    /** A {@link #dropRepliesOnceAfterClientSends} trigger still waits for its connection: false once it struck (or was turned off). */
    public boolean dropTriggerArmed() {
        return dropRepliesTrigger != null;
    }

    /** While on: new connections are reset at once; open ones are untouched. */
    public void refuseNew(boolean on) {
        refuseNew = on;
    }

    /** Every forwarded chunk waits at least this long (0 turns it off); byte order is kept per direction. */
    public void latency(Duration fixed) {
        latency(fixed, Duration.ZERO);
    }

    /** Every forwarded chunk waits {@code fixed} plus a uniform random part of {@code jitter} (seeded); order kept. */
    public void latency(Duration fixed, Duration jitter) {
        latencyNanos = fixed.toNanos();
        jitterNanos = jitter.toNanos();
        selector.wakeup();
    }

    /**
     * Connections accepted from now on are reset once {@code bytes} bytes (both directions together)
     * have been forwarded on them; -1 turns it off. A connection dies mid-conversation, at a byte the
     * test chooses.
     */
    public void closeAfterBytes(long bytes) {
        closeAfterBytes = bytes;
    }

    /** Back to plain pass-through. */
    public void reset() {
        blackhole = false;
        dropServerReplies = false;
        refuseNew = false;
        latencyNanos = 0;
        jitterNanos = 0;
        closeAfterBytes = -1;
        dropRepliesTrigger = null;
        dropRequestsTrigger = null;
        holdRequestsTrigger = null;
        selector.wakeup();
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Runnable command) {
        commands.add(command);
        selector.wakeup();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chaos proxy did not answer within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            while (running) {
                long wait = nextDueMillis();
                if (wait == 0) {
                    selector.selectNow();
                } else {
                    selector.select(wait < 0 ? 0 : wait);
                }
                for (Runnable r; (r = commands.poll()) != null; ) {
                    r.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
                for (Pair p : new ArrayList<>(pairs)) {
                    p.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the proxy dies with everything it holds, below
        } finally {
            for (Pair p : new ArrayList<>(pairs)) {
                p.close(true);
            }
            try {
                server.close();
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Milliseconds until the next delayed chunk is due: -1 none, 0 now. */
    private long nextDueMillis() {
        long next = Long.MAX_VALUE;
        for (Pair p : pairs) {
            next = Math.min(next, Math.min(p.toServer.nextDue(), p.toClient.nextDue()));
        }
        if (next == Long.MAX_VALUE) {
            return -1;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime());
        return ms <= 0 ? 0 : ms + 1;
    }

    private void handle(SelectionKey key) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            SocketChannel client = server.accept();
            if (client == null) {
                return;
            }
            accepted.incrementAndGet();
            if (refuseNew) {
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close();
                return;
            }
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SocketChannel upstream = SocketChannel.open();
            upstream.configureBlocking(false);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Pair p = new Pair(client, upstream);
            pairs.add(p);
            open.incrementAndGet();
            upstream.register(selector, SelectionKey.OP_CONNECT, p);
            if (upstream.connect(new InetSocketAddress(targetHost, targetPort))) {
                p.connected();
            }
            return;
        }
        Pair p = (Pair) key.attachment();
        try {
            if (key.isConnectable()) {
                if (p.upstream.finishConnect()) {
                    p.connected();
                }
                return;
            }
            if (key.isReadable()) {
                p.read((SocketChannel) key.channel());
            }
            if (key.isValid() && key.isWritable()) {
                p.flush();
            }
        } catch (IOException e) {
            p.close(true);
        }
    }

    private static boolean contains(byte[] data, int length, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean binds(List<String> boundTexts, byte[] trigger) {
        if (boundTexts.isEmpty()) {
            return false;
        }
        String t = new String(trigger, java.nio.charset.StandardCharsets.UTF_8);
        for (String text : boundTexts) {
            if (text.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /** Bytes waiting to go one way, each chunk with the time it may leave. */
    private static final class Outbound {
        final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
        final ArrayDeque<Long> due = new ArrayDeque<>();
        int queued;

        long nextDue() {
            Long d = due.peekFirst();
            return d == null ? Long.MAX_VALUE : d;
        }
    }

    /** One client connection and its upstream connection. */
    private final class Pair {
        final SocketChannel client;
        final SocketChannel upstream;
        final Outbound toServer = new Outbound();
        final Outbound toClient = new Outbound();
        SelectionKey clientKey;
        SelectionKey upstreamKey;
        boolean closed;
        boolean repliesDropped;
        boolean requestsDropped;
        final long byteLimit = closeAfterBytes;
        final PgClientMessages messages = new PgClientMessages();
        long forwarded;
        boolean closeWhenFlushed;
        // Client bytes held back (holdRequestsOnceContaining) until releaseHeld; null when none are.
        ArrayDeque<ByteBuffer> held;
        boolean clientGone;

        Pair(SocketChannel client, SocketChannel upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void connected() throws IOException {
            clientKey = client.register(selector, SelectionKey.OP_READ, this);
            upstreamKey = upstream.keyFor(selector);
            upstreamKey.interestOps(SelectionKey.OP_READ);
        }

        void read(SocketChannel from) throws IOException {
            ByteBuffer in = readBuffer;
            in.clear();
            int n = from.read(in);
            if (n < 0) {
                if (from == client && held != null) {
                    clientGone(false); // the server side stays: held bytes may still be delivered
                } else {
                    close(false);
                }
                return;
            }
            if (n == 0) {
                return;
            }
            // Only what arrived is kept: a fresh 16 KiB buffer per read (zeroed, then copied through a temporary
            // direct one by the channel) made this thread a quarter of the demo's CPU, shared with both sides.
            byte[] data = new byte[n];
            in.flip();
            in.get(data);
            ByteBuffer buf = ByteBuffer.wrap(data);
            boolean toServerSide = from == client;
            // Named statements this chunk runs (sent as text once, then by name): a trigger matches their text too.
            List<String> bound = toServerSide ? messages.feed(buf.array(), n) : List.of();
            byte[] trigger = dropRepliesTrigger;
            if (toServerSide && trigger != null && (contains(buf.array(), n, trigger) || binds(bound, trigger))) {
                if (dropRepliesOnce) {
                    dropRepliesTrigger = null;
                }
                repliesDropped = true;
            }
            byte[] requestTrigger = dropRequestsTrigger;
            if (toServerSide && requestTrigger != null && (contains(buf.array(), n, requestTrigger) || binds(bound, requestTrigger))) {
                dropRequestsTrigger = null;
                requestsDropped = true;
            }
            if (toServerSide && requestsDropped) {
                return; // the request never reaches the server
            }
            byte[] holdTrigger = holdRequestsTrigger;
            if (toServerSide && held == null && holdTrigger != null && (contains(buf.array(), n, holdTrigger) || binds(bound, holdTrigger))) {
                holdRequestsTrigger = null;
                held = new ArrayDeque<>();
            }
            if (toServerSide && held != null) {
                held.add(buf);
                heldBytes.addAndGet(n);
                return; // kept for releaseHeld
            }
            if (!toServerSide && clientGone) {
                return; // nobody to hear it
            }
            if (blackhole || (!toServerSide && (dropServerReplies || repliesDropped))) {
                return; // read and dropped: nothing is forwarded
            }
            if (byteLimit >= 0) {
                long room = byteLimit - forwarded;
                if (room <= 0) {
                    return;
                }
                if (n >= room) {
                    buf.limit((int) room);
                    n = (int) room;
                    closeWhenFlushed = true; // this chunk is the last: reset once it is out
                } else {
                    buf.limit(n);
                }
                forwarded += n;
            }
            Outbound out = toServerSide ? toServer : toClient;
            long jitter = jitterNanos > 0 ? (long) (random.nextDouble() * jitterNanos) : 0;
            Long previous = out.due.peekLast();
            long due = System.nanoTime() + latencyNanos + jitter;
            out.chunks.add(buf);
            out.due.add(previous != null && previous > due ? previous : due); // never overtake: order per direction
            out.queued += n;
            (toServerSide ? clientToServer : serverToClient).addAndGet(n);
            if (out.queued > MAX_QUEUED) {
                (toServerSide ? clientKey : upstreamKey).interestOps(0); // backpressure: stop reading this side
            }
        }

        void flush() {
            if (closed || clientKey == null) {
                return;
            }
            try {
                drain(toServer, upstream, upstreamKey, clientKey);
                if (clientGone) {
                    toClient.chunks.clear();
                    toClient.due.clear();
                    toClient.queued = 0;
                    return;
                }
                drain(toClient, client, clientKey, upstreamKey);
                if (closeWhenFlushed && toServer.chunks.isEmpty() && toClient.chunks.isEmpty()) {
                    close(true);
                }
            } catch (IOException e) {
                close(true);
            }
        }

        private void drain(Outbound out, SocketChannel to, SelectionKey toKey, SelectionKey fromKey) throws IOException {
            long now = System.nanoTime();
            while (!out.chunks.isEmpty() && out.due.peekFirst() <= now && !blackhole) {
                ByteBuffer b = out.chunks.peekFirst();
                int before = b.remaining();
                to.write(b);
                out.queued -= before - b.remaining();
                if (b.hasRemaining()) {
                    break;
                }
                out.chunks.pollFirst();
                out.due.pollFirst();
            }
            boolean pending = !out.chunks.isEmpty() && out.due.peekFirst() <= now;
            int ops = (toKey.interestOps() & SelectionKey.OP_READ) | (pending ? SelectionKey.OP_WRITE : 0);
            if (toKey.isValid()) {
                toKey.interestOps(ops);
            }
            if (out.queued <= MAX_QUEUED / 2 && fromKey.isValid() && (fromKey.interestOps() & SelectionKey.OP_READ) == 0) {
                fromKey.interestOps(fromKey.interestOps() | SelectionKey.OP_READ);
            }
        }

        /** The client side ends (reset: with RST); the server side stays open for held or released bytes. */
        void clientGone(boolean reset) {
            if (clientGone) {
                return;
            }
            clientGone = true;
            try {
                if (clientKey != null) {
                    clientKey.cancel();
                }
                if (reset && client.isOpen()) {
                    client.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                client.close();
            } catch (IOException ignored) {
                // already gone
            }
        }

        void close(boolean reset) {
            if (closed) {
                return;
            }
            closed = true;
            pairs.remove(this);
            open.decrementAndGet();
            for (SocketChannel c : new SocketChannel[]{client, upstream}) {
                try {
                    if (reset && c.isOpen()) {
                        c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    }
                    c.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }
}
