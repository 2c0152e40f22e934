package dev.resilientjdbc.retry;

/**
 * Told how long each call of a target took, by kind. The metrics layer installs one per target;
 * until then nothing is measured.
 */
@FunctionalInterface
public interface CallObserver {
    /** What kind of call was timed. */
    enum Kind { CONNECT, QUERY, UPDATE, BATCH, COMMIT }

    /** A call of this kind took {@code nanos}; {@code failed} when the application got an exception from it. */
    void took(Kind kind, long nanos, boolean failed);

    /**
     * As {@link #took(Kind, long, boolean)}, with the end of the call ({@link System#nanoTime()}) that the
     * caller read for {@code nanos}: an observer that needs the time then reads no clock of its own.
     */
    default void took(Kind kind, long nanos, boolean failed, long endNanos) {
        took(kind, nanos, failed);
    }

    CallObserver NONE = (kind, nanos, failed) -> { };
}
