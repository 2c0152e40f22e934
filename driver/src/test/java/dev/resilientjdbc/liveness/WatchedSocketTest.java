package dev.resilientjdbc.liveness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watched socket against a local server whose behaviour the test sets: silent (accepts, never
 * writes: what a frozen host looks like), or busy (answers every probe, replies late on the data
 * connection). The oracle for the application's own timeout is a plain socket.
 */
@Timeout(30)
class WatchedSocketTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Accepts every connection; answers probes (SSLRequest) with 'N' when {@code answers}; the data connection replies {@code reply} after {@code delayMillis}. */
    private InetSocketAddress server(boolean answers, long delayMillis) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        open.add(server);
        AtomicBoolean first = new AtomicBoolean(true);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    boolean data = first.getAndSet(false);
                    Thread h = new Thread(() -> serve(s, data, answers, delayMillis), "watched-socket-test-peer");
                    h.setDaemon(true);
                    h.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "watched-socket-test-server");
        t.setDaemon(true);
        t.start();
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private static void serve(Socket s, boolean data, boolean answers, long delayMillis) {
        try {
            InputStream in = s.getInputStream();
            if (in.readNBytes(8).length < 8 || !answers) {
                return; // silent: reads and never writes
            }
            if (data) {
                Thread.sleep(delayMillis);
            }
            s.getOutputStream().write('N');
            s.getOutputStream().flush();
        } catch (IOException | InterruptedException ignored) {
            // the test is over
        }
    }

    private static Socket watched(InetSocketAddress to, int applicationSocketTimeoutMillis) throws IOException {
        Socket s = new WatchedSocketFactory(new LivenessSettings(200, 300, applicationSocketTimeoutMillis).asArgument()).createSocket();
        s.connect(to, 10_000);
        s.getOutputStream().write(new byte[8]);
        return s;
    }

    @Test
    void aSilentHostIsJudgedSilentAndTheSocketClosed() throws Exception {
        InetSocketAddress silent = server(false, 0);
        long silentBefore = HostVerdicts.silentVerdicts();
        try (Socket s = watched(silent, 0)) {
            long t0 = System.nanoTime();
            SocketException e = assertThrows(SocketException.class, () -> s.getInputStream().read());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(null, e.getCause(), "no SocketTimeoutException in the chain: that would read as the application's own limit");
            assertTrue(e.getMessage().contains("judged silent"), e::getMessage);
            assertTrue(ms >= 450 && ms < 3_000, "after checkAfter + probe (500 ms), took " + ms);
            assertTrue(s.isClosed());
            assertTrue(HostVerdicts.silentVerdicts() > silentBefore);
        }
    }

    @Test
    void aBusyHostThatAnswersProbesIsWaitedFor() throws Exception {
        InetSocketAddress busy = server(true, 1_500);
        long probesBefore = HostVerdicts.probes();
        try (Socket s = watched(busy, 0)) {
            assertEquals('N', s.getInputStream().read(), "the late reply arrives");
            assertTrue(HostVerdicts.probes() - probesBefore >= 2, "probed while waiting");
            assertFalse(s.isClosed());
        }
    }

    @Test
    void theApplicationsOwnSocketTimeoutDecidesAloneAsOnAPlainSocket() throws Exception {
        InetSocketAddress silent = server(false, 0);
        long probesBefore = HostVerdicts.probes();
        SocketTimeoutException plain;
        try (Socket p = new Socket()) {
            p.connect(silent, 10_000);
            p.setSoTimeout(800);
            plain = assertThrows(SocketTimeoutException.class, () -> p.getInputStream().read());
        }
        try (Socket s = watched(silent, 800)) {
            s.setSoTimeout(800);
            long t0 = System.nanoTime();
            SocketTimeoutException ours = assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(plain.getClass(), ours.getClass());
            assertTrue(ms >= 750, "the whole limit: " + ms);
            assertEquals(800, s.getSoTimeout());
            assertFalse(s.isClosed(), "a timed-out read leaves the socket open, as on a plain socket");
        }
        assertEquals(probesBefore, HostVerdicts.probes(), "no probe under the application's own limit");
    }

    @Test
    void aBadArgumentNamesWhatIsAccepted() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WatchedSocketFactory("500"));
        assertTrue(e.getMessage().contains("<checkAfterMillis>,<probeMillis>,<socketTimeoutMillis>"), e::getMessage);
    }
}
