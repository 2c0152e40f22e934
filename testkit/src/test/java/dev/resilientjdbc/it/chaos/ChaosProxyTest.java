package dev.resilientjdbc.it.chaos;


import dev.resilientjdbc.control.chaos.ChaosProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chaos proxy against a real echo server on loopback. */
class ChaosProxyTest {
    private ServerSocket echo;
    private Thread acceptor;
    private final AtomicLong received = new AtomicLong();
    private ChaosProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0);
        acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> pump(s), "echo-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "echo-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = ChaosProxy.start("127.0.0.1", echo.getLocalPort());
    }

    private void pump(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                received.addAndGet(n);
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // the connection was cut: that is what these tests do
        }
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
        acceptor.join(5000);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(proxy.host(), proxy.port());
        s.setSoTimeout(5000);
        return s;
    }

    /** Writes {@code data} in chunks from a second thread while reading everything echoed back. */
    private static byte[] echoed(Socket s, byte[] data, int chunk) throws Exception {
        Thread writer = new Thread(() -> {
            try {
                for (int off = 0; off < data.length; off += chunk) {
                    s.getOutputStream().write(data, off, Math.min(chunk, data.length - off));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, "chaos-test-writer");
        writer.start();
        byte[] back = new byte[data.length];
        int off = 0;
        while (off < back.length) {
            int n = s.getInputStream().read(back, off, back.length - off);
            assertTrue(n > 0, "EOF");
            off += n;
        }
        writer.join();
        return back;
    }

    private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
        s.getOutputStream().write(data);
        byte[] back = new byte[data.length];
        int off = 0;
        while (off < back.length) {
            int n = s.getInputStream().read(back, off, back.length - off);
            if (n < 0) {
                throw new IOException("EOF after " + off + " bytes");
            }
            off += n;
        }
        return back;
    }

    @Test
    void bytesPassUnchangedBothWays() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        try (Socket s = connect()) {
            assertArrayEquals(data, echoed(s, data, data.length));
        }
        assertEquals(1, proxy.totalAccepted());
    }

    @Test
    void cutAllResetsOpenConnectionsAndAcceptsNewOnes() throws Exception {
        try (Socket s = connect()) {
            assertArrayEquals(new byte[]{1}, roundTrip(s, new byte[]{1}));
            proxy.cutAll();
            assertEquals(0, proxy.openConnections());
            IOException e = assertThrows(IOException.class, () -> roundTrip(s, new byte[]{2, 3, 4}));
            assertTrue(e.getMessage() != null, e.toString());
        }
        try (Socket again = connect()) {
            assertArrayEquals(new byte[]{5}, roundTrip(again, new byte[]{5}));
        }
    }

    @Test
    void blackholeHoldsConnectionsSilently() throws Exception {
        proxy.blackhole(true);
        try (Socket s = connect()) {
            s.setSoTimeout(300);
            s.getOutputStream().write(new byte[]{1, 2, 3});
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            assertTrue(!s.isClosed() && s.isConnected());
            assertEquals(0, received.get(), "nothing reached the server");
        }
        proxy.blackhole(false);
        try (Socket s = connect()) {
            assertArrayEquals(new byte[]{9}, roundTrip(s, new byte[]{9}));
        }
    }

    @Test
    void droppedRepliesReachTheServerButNotTheClient() throws Exception {
        try (Socket s = connect()) {
            assertArrayEquals(new byte[]{1}, roundTrip(s, new byte[]{1}));
            proxy.dropServerReplies(true);
            s.setSoTimeout(300);
            s.getOutputStream().write(new byte[]{7, 7});
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (received.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(1); // not a spin: it would take a core from what it waits for
            }
            assertEquals(3, received.get(), "the server got every byte");
        }
    }

    @Test
    void aOnceTriggerSilencesOnlyTheFirstConnectionThatSendsIt() throws Exception {
        proxy.dropRepliesOnceAfterClientSends("\u0005");
        try (Socket first = connect(); Socket second = connect()) {
            assertArrayEquals(new byte[]{1}, roundTrip(first, new byte[]{1}), "before the trigger, replies come");
            first.setSoTimeout(300);
            first.getOutputStream().write(new byte[]{5});
            assertThrows(SocketTimeoutException.class, () -> first.getInputStream().read(), "the trigger silences its connection");
            assertArrayEquals(new byte[]{5}, roundTrip(second, new byte[]{5}), "disarmed: the same bytes on another connection pass");
        }
    }

    @Test
    void heldRequestsReachTheServerOnlyWhenReleasedAfterTheClientIsGone() throws Exception {
        proxy.holdRequestsOnceContaining("\u0009");
        Socket first = connect();
        try (Socket second = connect()) {
            assertArrayEquals(new byte[]{1}, roundTrip(first, new byte[]{1}), "before the trigger, bytes pass");
            first.getOutputStream().write(new byte[]{9, 8});
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (proxy.heldBytes() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1); // not a spin: it would take a core from what it waits for
            }
            assertEquals(2, proxy.heldBytes(), "the trigger's chunk is held");
            assertTrue(!proxy.holdTriggerArmed(), "disarmed once it struck");
            assertArrayEquals(new byte[]{9}, roundTrip(second, new byte[]{9}), "another connection's bytes pass");
            assertEquals(2, received.get(), "the held bytes have not reached the server");
            proxy.cutHeldClients();
            first.setSoTimeout(2000);
            assertThrows(IOException.class, () -> {
                if (first.getInputStream().read() < 0) {
                    throw new IOException("closed");
                }
            }, "the client side is cut");
            proxy.releaseHeld();
            while (received.get() < 4 && System.nanoTime() < deadline + Duration.ofSeconds(5).toNanos()) {
                Thread.sleep(1); // not a spin: it would take a core from what it waits for
            }
            assertEquals(4, received.get(), "released: the server got the held bytes after the client was gone");
        } finally {
            first.close();
        }
    }

    @Test
    void refuseNewResetsNewConnectionsOnly() throws Exception {
        try (Socket existing = connect()) {
            assertArrayEquals(new byte[]{1}, roundTrip(existing, new byte[]{1})); // accepted and paired before the switch
            proxy.refuseNew(true);
            try (Socket refused = connect()) {
                refused.setSoTimeout(2000);
                IOException e = assertThrows(IOException.class, () -> roundTrip(refused, new byte[]{1}));
                assertTrue(e.getMessage() != null);
            }
            assertArrayEquals(new byte[]{2}, roundTrip(existing, new byte[]{2}));
        }
    }

    @Test
    void latencyDelaysEachChunk() throws Exception {
        proxy.latency(Duration.ofMillis(200));
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertArrayEquals(new byte[]{3}, roundTrip(s, new byte[]{3}));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 390 && ms < 4000, "two ways × 200 ms: " + ms);
        }
    }

    @Test
    void closeAfterBytesCutsTheConnectionAtThatByte() throws Exception {
        proxy.closeAfterBytes(10);
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[6]); // 6 bytes out, 6 echoed back: 12 > 10, cut after the 4th echoed byte
            byte[] buf = new byte[64];
            int got = 0;
            try {
                for (int n; (n = s.getInputStream().read(buf, got, buf.length - got)) > 0; ) {
                    got += n;
                }
            } catch (IOException reset) {
                // a reset is how the cut may arrive
            }
            assertEquals(4, got, "exactly the bytes up to the limit reach the client");
        }
        proxy.closeAfterBytes(-1);
        try (Socket s = connect()) {
            assertArrayEquals(new byte[]{1, 2, 3}, roundTrip(s, new byte[]{1, 2, 3}));
        }
    }

    @Test
    void jitterKeepsByteOrder() throws Exception {
        proxy.latency(Duration.ofMillis(5), Duration.ofMillis(40));
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        try (Socket s = connect()) {
            // The jitter really struck: one-byte round trips (one chunk each way) take the fixed 2 × 5 ms at least,
            // and vary by the random part; without jitter they would all take about 10 ms.
            long[] ms = new long[12];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                assertArrayEquals(new byte[]{(byte) i}, roundTrip(s, new byte[]{(byte) i}));
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
            }
            long min = java.util.Arrays.stream(ms).min().orElseThrow();
            long max = java.util.Arrays.stream(ms).max().orElseThrow();
            String seen = java.util.Arrays.toString(ms);
            assertTrue(min >= 10, "each round trip waits the fixed latency both ways: " + seen);
            assertTrue(max - min >= 15, "the random part varies the delay: " + seen);
            assertTrue(max < 10 + 2 * 40 + 1000, "never more than the latency and jitter (with room for a loaded machine): " + seen);

            long t0 = System.nanoTime();
            assertArrayEquals(data, echoed(s, data, 1000));
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 10, "the bulk transfer was delayed too");
        }
    }

    @Test
    void closeStopsTheThreadAndFreesThePort() throws Exception {
        int port = proxy.port();
        proxy.close();
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("chaos-proxy-") && t.getName().endsWith("-" + port)), "selector thread gone");
        try (ServerSocket again = new ServerSocket(port)) {
            assertEquals(port, again.getLocalPort());
        }
    }
}
