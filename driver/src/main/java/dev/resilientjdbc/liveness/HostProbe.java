package dev.resilientjdbc.liveness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Asks a PostgreSQL host whether it still answers, on a connection of its own: it sends the
 * protocol's SSLRequest (8 bytes, no login, nothing the server logs) and waits for the one-byte
 * reply. Any byte is an answer. A frozen server (SIGSTOP, a stopped VM, a blackholed path) lets the
 * kernel accept the connection and then says nothing: that is silence, as is a refused connect.
 */
final class HostProbe {
    // Length 8, then the SSLRequest code 80877103 (0x04D2162F), both big-endian.
    private static final byte[] SSL_REQUEST = {0, 0, 0, 8, 0x04, (byte) 0xD2, 0x16, 0x2F};

    private HostProbe() {}

    /** True when {@code host} sends a byte back within {@code timeoutMillis}. */
    static boolean answers(InetSocketAddress host, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Socket s = new Socket()) {
            s.connect(host, timeoutMillis);
            int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            s.setSoTimeout(left);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            out.write(SSL_REQUEST);
            out.flush();
            InputStream in = s.getInputStream();
            return in.read() >= 0;
        } catch (IOException silentOrGone) {
            return false;
        }
    }
}
