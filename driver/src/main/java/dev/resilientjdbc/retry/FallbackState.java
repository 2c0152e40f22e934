package dev.resilientjdbc.retry;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * resilient.readOnlyFallback of one target: whether reads are being served by a standby because no primary
 * could be reached, and by which member of the URL's host list. Set by the logical connections of the target
 * when they fall back and when they reach a primary again; read by the health check and the metrics.
 */
public final class FallbackState {
    /** How often, at most, a connection serving reads from a standby tries whether a primary is back. */
    public static final long PRIMARY_RETRY_NANOS = 1_000_000_000L;

    private final List<String> hosts;
    private volatile String member;
    private volatile long sinceMillis;
    private final AtomicLong lastPrimaryTry = new AtomicLong(System.nanoTime() - PRIMARY_RETRY_NANOS);
    // Increments each time a connection reaches a primary: connections on a standby move at their next boundary.
    private volatile long primaryEpoch;
    private final LongAdder standbyConnects = new LongAdder();
    private final LongAdder refusedWrites = new LongAdder();

    /** {@code hosts}: the URL's hosts as written (host:port), in order. */
    public FallbackState(List<String> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    public List<String> hosts() {
        return hosts;
    }

    /** A connection was opened on standby {@code member} because no primary answered. */
    public void servedBy(String member) {
        if (this.member == null) {
            sinceMillis = System.currentTimeMillis();
        }
        this.member = member;
        standbyConnects.increment();
    }

    /** A connection reached a primary: the degraded state is over. */
    public void primaryReached() {
        if (member != null) {
            member = null;
            primaryEpoch++;
        }
    }

    /** The background look found a primary: connections still on a standby move at their next unit of work. */
    private void primaryFound() {
        member = null;
        primaryEpoch++;
    }

    public long primaryEpoch() {
        return primaryEpoch;
    }

    /** Whether reads are served by a standby now (no primary reached since). */
    public boolean degraded() {
        return member != null;
    }

    /** The standby serving reads, as the URL names it; null when not degraded. */
    public String member() {
        return member;
    }

    /** 1-based position of the serving standby in the URL's host list; 0 when not degraded or unknown. */
    public int memberIndex() {
        String m = member;
        return m == null ? 0 : hosts.indexOf(m) + 1;
    }

    /** Since when (epoch milliseconds) reads are served by a standby; 0 when not degraded. */
    public long sinceMillis() {
        return member == null ? 0 : sinceMillis;
    }

    public long standbyConnects() {
        return standbyConnects.sum();
    }

    public long refusedWrites() {
        return refusedWrites.sum();
    }

    /**
     * Whether a connection serving reads from a standby should try a primary now: one connection of the target
     * per {@link #PRIMARY_RETRY_NANOS}, so that an outage is not met with a connect per read.
     */
    public boolean timeToTryPrimary() {
        long last = lastPrimaryTry.get();
        long now = System.nanoTime();
        return now - last >= PRIMARY_RETRY_NANOS && lastPrimaryTry.compareAndSet(last, now);
    }

    // A background look for a primary is under way (at most one per target).
    private final java.util.concurrent.atomic.AtomicBoolean checking = new java.util.concurrent.atomic.AtomicBoolean();

    /** Opens one physical connection to a primary, one attempt; null when there is none to make. */
    @FunctionalInterface
    public interface PrimaryProbe {
        java.sql.Connection open() throws SQLException;
    }

    /**
     * While a connection serves reads from a standby: at most once per {@link #PRIMARY_RETRY_NANOS} and one at a time, a daemon
     * thread tries {@code probe}; when a primary answers the degraded state ends ({@link #primaryEpoch()} moves), and
     * connections on a standby move to it at their next unit of work. The application's reads never wait for it
     * (a silent primary host would hold a connect for its whole connectTimeout).
     */
    public void lookForPrimary(PrimaryProbe probe) {
        if (!timeToTryPrimary() || !checking.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try (java.sql.Connection c = probe.open()) {
                if (c != null) {
                    primaryFound();
                }
            } catch (SQLException | RuntimeException stillNone) {
                // the standby serves on; tried again in a second
            } finally {
                checking.set(false);
            }
        }, "resilient-jdbc-primary-check");
        t.setDaemon(true);
        t.start();
    }

    // How the health check looks for a primary while nothing else does (every connection on a standby closed).
    private volatile PrimaryProbe probe;

    /** The target's own one-attempt primary connect, for {@link #lookForPrimary()}. */
    public void probe(PrimaryProbe p) {
        this.probe = p;
    }

    /** {@link #lookForPrimary(PrimaryProbe)} with the target's probe, while degraded (the health check asks). */
    public void lookForPrimary() {
        PrimaryProbe p = probe;
        if (p != null && member != null) {
            lookForPrimary(p);
        }
    }

    /**
     * The one error a write gets when it waited {@code waitedNanos} for a primary and none answered, or when the
     * target's breaker refused the connect at once ({@code breakerOpen}).
     */
    public SQLException noPrimary(SQLException last, long waitedNanos, boolean breakerOpen) {
        refusedWrites.increment();
        String m = member;
        String msg = "resilient-jdbc: no primary reachable among " + String.join(",", hosts)
                + (breakerOpen ? " (the circuit breaker is open after repeated failed connects: failing fast, resilient.breaker.*); "
                : " for " + String.format(java.util.Locale.ROOT, "%.1f", waitedNanos / 1e9) + " s (resilient.connect.maxDuration); ")
                + (m != null ? "this connection serves reads from replica " + m + " (resilient.readOnlyFallback)"
                : "no replica serves reads either (resilient.readOnlyFallback)")
                + "; writes and transactions need the primary: try again once it is back";
        return new SQLTransientConnectionException(msg, "08001", last);
    }

    @Override
    public String toString() {
        String m = member;
        return m == null ? "primary reachable" : "no primary reachable since " + java.time.Instant.ofEpochMilli(sinceMillis)
                + "; reads served by replica " + m;
    }
}
