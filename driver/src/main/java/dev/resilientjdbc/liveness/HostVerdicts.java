package dev.resilientjdbc.liveness;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What is known, JVM-wide, about whether each host answers: the last probe's verdict and when it was
 * made. Threads waiting on the same host share one probe (the first asks, the others wait for its
 * answer), and a verdict younger than the caller's grace is reused, so a host is probed at most about
 * once per grace however many calls wait on it. No thread of its own: the probe runs in a thread that
 * was blocked anyway.
 */
public final class HostVerdicts {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.liveness");
    private static final ConcurrentHashMap<InetSocketAddress, Verdict> VERDICTS = new ConcurrentHashMap<>();
    private static final AtomicLong PROBES = new AtomicLong();
    private static final AtomicLong SILENT = new AtomicLong();
    private static final AtomicLong ABORTED = new AtomicLong();
    // Set once any host was judged silent: until then a read that got bytes need not look for a verdict to forget.
    private static volatile boolean someSilent;

    private HostVerdicts() {}

    /** One probe's answer, or a probe under way (answer not yet known). */
    private static final class Verdict {
        final CompletableFuture<Boolean> answer = new CompletableFuture<>();
        // When the answer came (written before the answer is completed, read after it is seen done).
        volatile long answeredAt;
    }

    /**
     * Whether {@code host} answers: a verdict younger than {@code freshMillis} is reused, a probe under
     * way is waited for, else this thread probes (at most {@code probeMillis}).
     */
    static boolean answers(InetSocketAddress host, int probeMillis, int freshMillis) {
        long now = System.nanoTime();
        Verdict known = VERDICTS.get(host);
        if (known != null && (!known.answer.isDone() || now - known.answeredAt < freshFor(known, probeMillis, freshMillis))) {
            return await(known, probeMillis);
        }
        Verdict mine = new Verdict();
        Verdict raced = known == null ? VERDICTS.putIfAbsent(host, mine) : VERDICTS.replace(host, known, mine) ? null : VERDICTS.get(host);
        if (raced != null) {
            return await(raced, probeMillis);
        }
        PROBES.incrementAndGet();
        boolean alive = false;
        try {
            alive = HostProbe.answers(host, probeMillis);
        } finally {
            mine.answeredAt = System.nanoTime();
            mine.answer.complete(alive); // waiters are never left without an answer
        }
        if (!alive) {
            someSilent = true;
            SILENT.incrementAndGet();
            boolean wasAlive = known == null || Boolean.TRUE.equals(known.answer.getNow(Boolean.TRUE));
            if (wasAlive) {
                LOG.log(Level.WARNING, "resilient-jdbc: {0} did not answer a probe within {1} ms: judged silent; its connections"
                        + " that wait for an answer are closed so that their calls recover elsewhere", new Object[]{host, probeMillis});
            }
        }
        return alive;
    }

    /**
     * How long a verdict is reused. A silent verdict lasts a probe longer than a live one: a connect that
     * reaches a host just judged silent (its first read waits checkAfter) is closed at once instead of
     * probing again, so a reconnect moves on to the URL's next host without paying another probe.
     */
    private static long freshFor(Verdict v, int probeMillis, int freshMillis) {
        boolean alive = Boolean.TRUE.equals(v.answer.getNow(Boolean.TRUE));
        return (alive ? freshMillis : (long) freshMillis + probeMillis) * 1_000_000L;
    }

    private static boolean await(Verdict v, int probeMillis) {
        try {
            return v.answer.get(probeMillis + 100L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true; // the application interrupted the wait: leave its connection alone
        } catch (ExecutionException | TimeoutException e) {
            return false; // the prober did not answer in time: the host did not either
        }
    }

    /**
     * Bytes came from {@code host}: a silent verdict about it is out of date (it is back), so that a read
     * waiting on it a moment later probes again instead of being closed on old news.
     */
    static void heard(InetSocketAddress host) {
        if (!someSilent || host == null) {
            return;
        }
        Verdict v = VERDICTS.get(host);
        if (v != null && Boolean.FALSE.equals(v.answer.getNow(null))) {
            VERDICTS.remove(host, v);
        }
    }

    static void aborted() {
        ABORTED.incrementAndGet();
    }

    /** Probes made since the JVM started. */
    public static long probes() {
        return PROBES.get();
    }

    /** Probes that found their host silent. */
    public static long silentVerdicts() {
        return SILENT.get();
    }

    /** Connections closed because their host was judged silent while they waited for it. */
    public static long abortedConnections() {
        return ABORTED.get();
    }
}
