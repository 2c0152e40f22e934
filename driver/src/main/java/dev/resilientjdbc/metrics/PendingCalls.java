package dev.resilientjdbc.metrics;

import dev.resilientjdbc.retry.CallObserver;

/**
 * A target's call observer while its metrics are being bound on another thread (the target's first connect, see
 * {@code Target.startAside}): the calls timed meanwhile (the first physical connect) are kept and handed to the
 * metrics' own observer once it exists, so the timers count them as if they had been bound first. Holds at most
 * {@link #LIMIT} calls; a lock per call, but only until {@link #deliverTo} (then the guard holds the real observer).
 */
public final class PendingCalls implements CallObserver {
    static final int LIMIT = 256;
    private CallObserver delivered; // guarded by this
    private final Kind[] kinds = new Kind[LIMIT];
    private final long[] nanos = new long[LIMIT];
    private final boolean[] failed = new boolean[LIMIT];
    private final long[] ends = new long[LIMIT];
    private int count;

    @Override
    public void took(Kind kind, long nanos, boolean failed, long endNanos) {
        CallObserver to;
        synchronized (this) {
            to = delivered;
            if (to == null) {
                if (count < LIMIT) {
                    kinds[count] = kind;
                    this.nanos[count] = nanos;
                    this.failed[count] = failed;
                    ends[count] = endNanos;
                    count++;
                }
                return;
            }
        }
        to.took(kind, nanos, failed, endNanos);
    }

    /** Replays the calls kept so far into {@code observer} and passes every later one straight on. */
    public void deliverTo(CallObserver observer) {
        synchronized (this) {
            for (int i = 0; i < count; i++) {
                observer.took(kinds[i], nanos[i], failed[i], ends[i]);
            }
            count = 0;
            delivered = observer;
        }
    }
}
