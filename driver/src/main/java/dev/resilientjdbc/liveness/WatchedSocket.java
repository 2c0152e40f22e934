package dev.resilientjdbc.liveness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A plain TCP socket whose reads cannot wait forever on a host that went silent. A read that has had
 * no byte for {@code checkAfter} asks the host, on a connection of its own ({@link HostVerdicts}),
 * whether it still answers: a host that answers is busy (a long query), and the read waits on; a
 * silent one (frozen process or machine, blackholed path) gets this socket closed, and the read fails
 * with an I/O error the driver recovers from like any lost connection. Where the application set its
 * own read timeout (pgjdbc's socketTimeout, setNetworkTimeout) that limit alone decides, as on the raw
 * driver. Healthy path: one field compare per read.
 */
final class WatchedSocket extends Socket {
    private final LivenessSettings settings;
    // What the application (through the real driver) asked for with setSoTimeout; 0 waits for ever.
    private volatile int applicationTimeout;
    // What the socket itself is set to now, so that it is changed only when a read needs another value.
    private int appliedTimeout = -1;
    private volatile InetSocketAddress remote;
    private InputStream watchedInput;

    WatchedSocket(LivenessSettings settings) {
        this.settings = settings;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        int bound = settings.connectBoundMillis();
        boolean ours = timeout == 0 || timeout > bound;
        try {
            super.connect(endpoint, ours ? bound : timeout);
        } catch (SocketTimeoutException e) {
            if (!ours) {
                throw e; // the application's connectTimeout
            }
            throw new HostSilentException("resilient-jdbc: " + endpoint + " did not accept a connection within " + bound
                    + " ms (resilient.liveness.checkAfter + probeTimeout)");
        }
        if (endpoint instanceof InetSocketAddress) {
            remote = (InetSocketAddress) endpoint;
        }
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            super.setSoTimeout(timeout); // the JDK's own answer to a bad value
        }
        applicationTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return applicationTimeout;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (watchedInput == null) {
            watchedInput = new WatchedInput(super.getInputStream());
        }
        return watchedInput;
    }

    /** The next wait: checkAfter, or, under a limit with too little left for a check and its probe, all that is left. */
    private int slice(int limit, long startNanos) throws SocketTimeoutException {
        if (limit <= 0) {
            return settings.checkAfterMillis();
        }
        long left = limit - (System.nanoTime() - startNanos) / 1_000_000L;
        if (left <= 0) {
            throw new SocketTimeoutException("Read timed out");
        }
        return left <= settings.connectBoundMillis() ? (int) left : settings.checkAfterMillis();
    }

    private void apply(int timeout) throws SocketException {
        if (timeout != appliedTimeout) {
            super.setSoTimeout(timeout);
            appliedTimeout = timeout;
        }
    }

    /**
     * A read has had no byte for {@code checkAfter}. Returns when it may wait on (the host answers: it is
     * busy); closes the socket and throws when the host is silent.
     */
    private void noByteYet(long startNanos) throws IOException {
        InetSocketAddress host = remote;
        if (host == null || HostVerdicts.answers(host, settings.probeMillis(), settings.checkAfterMillis())) {
            return;
        }
        HostVerdicts.aborted();
        long waited = (System.nanoTime() - startNanos) / 1_000_000L;
        try {
            close();
        } catch (IOException ignored) {
            // closing is all that is wanted
        }
        throw new HostSilentException("resilient-jdbc: " + host + " sent nothing for " + waited + " ms and did not answer a probe"
                + " within " + settings.probeMillis() + " ms: judged silent, connection closed (resilient.liveness.checkAfter,"
                + " resilient.liveness.probeTimeout)");
    }

    /** The socket's input, each read bounded as above. */
    private final class WatchedInput extends InputStream {
        private final InputStream in;
        private final byte[] one = new byte[1];

        WatchedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int app = applicationTimeout;
            if (app > 0 && (app == settings.applicationSocketTimeoutMillis() || app <= settings.connectBoundMillis())) {
                // The application's own limit (socketTimeout; or short enough to need no check): that limit alone
                // decides, and what ran out is the application's own (never made again, DESIGN rule 9).
                apply(app);
                return in.read(b, off, len);
            }
            // No limit, or pgjdbc's own during the login (its connectTimeout): checked while it lasts.
            long start = app > 0 ? System.nanoTime() : 0; // the healthy path without a limit reads no clock
            while (true) {
                apply(slice(app, start));
                try {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        HostVerdicts.heard(remote);
                    }
                    return n;
                } catch (SocketTimeoutException noByte) {
                    if (start == 0) {
                        start = System.nanoTime() - settings.checkAfterMillis() * 1_000_000L;
                    }
                    if (app > 0 && (System.nanoTime() - start) / 1_000_000L >= app) {
                        throw noByte; // the limit itself ran out
                    }
                    noByteYet(start);
                }
            }
        }

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public long skip(long n) throws IOException {
            return in.skip(n);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The host stopped answering: an I/O failure like a reset connection, never a timeout the application chose. */
    static final class HostSilentException extends SocketException {
        private static final long serialVersionUID = 1L;

        // No cause: a SocketTimeoutException in the chain would read as the application's own limit running out.
        HostSilentException(String message) {
            super(message);
        }
    }
}
