package dev.resilientjdbc.liveness;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The socket factory the driver gives pgjdbc (its {@code socketFactory} property) so that no call
 * waits forever on a host that stopped answering without closing its sockets: every socket it makes
 * is a {@link WatchedSocket}. pgjdbc makes it by class name with the String constructor.
 */
public final class WatchedSocketFactory extends SocketFactory {
    private final LivenessSettings settings;

    /** @param argument {@link LivenessSettings#asArgument()}, given to pgjdbc as {@code socketFactoryArg} */
    public WatchedSocketFactory(String argument) {
        this.settings = LivenessSettings.parse(argument);
    }

    @Override
    public Socket createSocket() {
        return new WatchedSocket(settings);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress to, InetSocketAddress local) throws IOException {
        Socket s = createSocket();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(to);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
