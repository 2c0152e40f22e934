package dev.resilientjdbc.classify;

import java.sql.SQLException;

/**
 * PostgreSQL by SQLState (pgjdbc reports I/O failures as 08006, a closed connection as 08003).
 * Every state PostgreSQL itself defines is decided by its state alone; the exception type and cause
 * only matter when there is no state.
 */
public final class PostgresClassifier implements FailureClassifier {
    private final GenericClassifier generic = new GenericClassifier();
    private final String localAddress;

    public PostgresClassifier() {
        this(null);
    }

    /** @param localAddress pgjdbc's localSocketAddress setting of the target, or null when it has none */
    public PostgresClassifier(String localAddress) {
        this.localAddress = localAddress == null || localAddress.isBlank() ? null : localAddress.strip();
    }

    @Override
    public FailureClass classify(SQLException e) {
        if (e == null) {
            return FailureClass.FATAL;
        }
        String state = e.getSQLState();
        if ("08004".equals(state)) {
            // pgjdbc's "connection rejected": SSL demanded from a server without it, an authentication method it
            // cannot or may not use. Configuration, not the network: no retry can change it.
            return FailureClass.FATAL;
        }
        if ("08006".equals(state) && e.getCause() == null && pgjdbcRefusedAParameter(e.getMessage())) {
            // pgjdbc closed a healthy connection itself because the session changed a setting it cannot work with
            // (SET client_encoding, DateStyle, standard_conforming_strings): it would refuse again on any new one.
            return FailureClass.FATAL;
        }
        if ("08006".equals(state) && applicationStreamFailed(e.getCause())) {
            // The application's own stream (setBinaryStream, a ByteStreamWriter) threw while pgjdbc sent it: pgjdbc
            // closed the connection before anything ran. The application's failure, to be seen as the raw driver shows it.
            return FailureClass.FATAL;
        }
        if (state != null && state.startsWith("08") && causedByMissingClass(e)) {
            // A socketFactory or sslfactory class that cannot be loaded or made, or is not a factory at all
            // (ClassCastException): configuration, the same on every attempt.
            return FailureClass.FATAL;
        }
        if (localAddress != null && state != null && state.startsWith("08") && cannotUseLocalAddress(e)) {
            // The configured local address is not this machine's or does not resolve: the same on every attempt.
            // (Without a configured address a BindException is the machine running out of ports, which passes.)
            return FailureClass.FATAL;
        }
        if (state != null && state.length() == 5) {
            FailureClass c = GenericClassifier.byState(state);
            // A known state that is not one of ours (23505, 42601, 57014 query_canceled, 25P02 ...) is fatal
            // whatever the exception's cause chain says.
            return c != null ? c : FailureClass.FATAL;
        }
        return generic.classify(e);
    }

    /**
     * An IOException thrown by the application's code, not by the socket: not of a socket's kind, and its
     * first frame is outside the JDK, pgjdbc and resilient-jdbc's liveness watcher (which closes sockets too). A stream of the JDK's own
     * that fails (a FileInputStream) still reads as a lost connection: unknown is never taken as harmless.
     */
    static boolean applicationStreamFailed(Throwable cause) {
        if (!(cause instanceof java.io.IOException) || cause instanceof java.net.SocketException
                || cause instanceof java.io.EOFException || cause instanceof java.io.InterruptedIOException
                || cause instanceof javax.net.ssl.SSLException) {
            return false; // what a socket throws reads as a lost connection, wherever it was made
        }
        StackTraceElement[] trace = cause.getStackTrace();
        if (trace.length == 0) {
            return false;
        }
        String origin = trace[0].getClassName();
        for (String ours : NOT_THE_APPLICATION) {
            if (origin.startsWith(ours)) {
                return false;
            }
        }
        return true;
    }

    private static final String[] NOT_THE_APPLICATION = {"java.", "javax.", "jdk.", "sun.", "com.sun.", "org.postgresql.",
        "dev.resilientjdbc.liveness.", "org.bouncycastle.", "io.netty."};

    private static boolean causedByMissingClass(SQLException e) {
        return e.getCause() != null && GenericClassifier.inCauseChain(e.getCause(),
                t -> t instanceof ReflectiveOperationException || t instanceof LinkageError || t instanceof ClassCastException);
    }

    private boolean cannotUseLocalAddress(SQLException e) {
        return e.getCause() != null && GenericClassifier.inCauseChain(e.getCause(), t -> t instanceof java.net.BindException
                || t instanceof java.net.UnknownHostException && t.getMessage() != null && t.getMessage().startsWith(localAddress));
    }

    // pgjdbc's messages are translated; the setting's name in them is not. No I/O error lies under them.
    private static boolean pgjdbcRefusedAParameter(String message) {
        return message != null && (message.contains("client_encoding") || message.contains("DateStyle")
                || message.contains("standard_conforming_strings"));
    }
}
