package dev.resilientjdbc.liveness;

/**
 * The two numbers a watched socket needs, carried to it through pgjdbc's {@code socketFactoryArg}
 * (the only thing pgjdbc hands a socket factory it makes by class name): how long a read may wait
 * before the host is asked whether it still answers, how long that probe may take, and the
 * application's own socketTimeout (0 for none), so that a read bounded by it is left alone.
 */
public record LivenessSettings(int checkAfterMillis, int probeMillis, int applicationSocketTimeoutMillis) {
    public LivenessSettings {
        if (checkAfterMillis < 1 || probeMillis < 1 || applicationSocketTimeoutMillis < 0) {
            throw new IllegalArgumentException("liveness check and probe times must be at least 1 ms: "
                    + checkAfterMillis + ", " + probeMillis + ", " + applicationSocketTimeoutMillis);
        }
    }

    /** The socketFactoryArg text. */
    public String asArgument() {
        return checkAfterMillis + "," + probeMillis + "," + applicationSocketTimeoutMillis;
    }

    /** Reads {@link #asArgument()}; anything else is a programming error of ours, said as such. */
    public static LivenessSettings parse(String argument) {
        String[] parts = argument == null ? new String[0] : argument.split(",");
        if (parts.length != 3) {
            throw new IllegalArgumentException("resilient-jdbc: socketFactoryArg for " + WatchedSocketFactory.class.getName()
                    + " must be '<checkAfterMillis>,<probeMillis>,<socketTimeoutMillis>', was: " + argument);
        }
        return new LivenessSettings(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                Integer.parseInt(parts[2].trim()));
    }

    /** Longest a TCP connect may take before the host is taken as not answering (pgjdbc's connectTimeout when shorter). */
    int connectBoundMillis() {
        return checkAfterMillis + probeMillis;
    }
}
