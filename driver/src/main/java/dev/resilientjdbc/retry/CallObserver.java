package dev.resilientjdbc.retry;

/**
 * Told how long each call of a target took, by kind. The metrics layer installs one per target;
 * until then nothing is measured.
 */
@FunctionalInterface
public interface CallObserver {
    /** What kind of call was timed. */
    enum Kind { CONNECT, QUERY, UPDATE, BATCH, COMMIT }

    /**
     * A call of this kind took {@code nanos} and ended at {@code endNanos} ({@link System#nanoTime()}, the clock
     * read the caller made for {@code nanos}: an observer that needs the time reads none of its own);
     * {@code failed} when the application got an exception from it.
     */
    void took(Kind kind, long nanos, boolean failed, long endNanos);

    CallObserver NONE = (kind, nanos, failed, endNanos) -> { };
}
