package dev.resilientjdbc.metrics;

import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallTimerTest {

    @Test
    void countsEveryCallAndKeepsTheLast1024() {
        CallTimer t = new CallTimer();
        long now = System.nanoTime();
        for (int i = 1; i <= 3000; i++) {
            t.record(i, now);
        }
        assertEquals(3000, t.getCount());
        Snapshot s = t.getSnapshot();
        assertEquals(1024, s.size());
        assertEquals(3000 - 1023, s.getMin());
        assertEquals(3000, s.getMax());
    }

    @Test
    void negativeDurationsAreIgnoredAsDropwizardDoes() {
        CallTimer t = new CallTimer();
        t.update(-5, TimeUnit.NANOSECONDS);
        assertEquals(0, t.getCount());
        assertEquals(0.0, t.getMeanRate());
        assertEquals(0, t.getSnapshot().size());
    }

    @Test
    void contextAndCallablesLandInTheSameCounts() throws Exception {
        CallTimer t = new CallTimer();
        try (Timer.Context c = t.time()) {
            assertTrue(c != null);
        }
        assertEquals(7, (int) t.time(() -> 7));
        t.time(() -> { });
        assertEquals("x", t.timeSupplier(() -> "x"));
        t.update(java.time.Duration.ofMillis(2));
        assertEquals(5, t.getCount());
        assertEquals(2_000_000L, t.getSnapshot().getMax());
    }

    @Test
    void ratesTickEveryFiveSecondsAsDropwizardsMeter() {
        CallTimer t = new CallTimer();
        long start = System.nanoTime();
        // The oracle: Dropwizard's own Meter, given the same calls at the same (made-up) times.
        long[] tick = {start};
        com.codahale.metrics.Meter meter = new com.codahale.metrics.Meter(new com.codahale.metrics.Clock() {
            @Override
            public long getTick() {
                return tick[0];
            }
        });
        for (int i = 0; i < 500; i++) {
            t.record(1000, start);
            meter.mark();
        }
        // Calls dated 6 s on: the first interval is ticked with the 500 calls before it (one-minute rate 100/s at the
        // first tick, as an EWMA starts from its first interval's rate).
        tick[0] = start + TimeUnit.SECONDS.toNanos(6);
        t.record(1000, tick[0]);
        meter.mark();
        assertEquals(meter.getOneMinuteRate(), t.getOneMinuteRate(), 1e-9);
        assertEquals(meter.getFiveMinuteRate(), t.getFiveMinuteRate(), 1e-9);
        assertEquals(meter.getFifteenMinuteRate(), t.getFifteenMinuteRate(), 1e-9);
        assertEquals(100.0, t.getOneMinuteRate(), 1e-9);
        assertEquals(meter.getCount(), t.getCount());
        assertEquals(501, t.getCount());
    }

    @Test
    void reservoirNeedsAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new RecentReservoir(1000));
        RecentReservoir r = new RecentReservoir(4);
        r.update(3);
        r.update(1);
        assertEquals(2, r.size());
        assertEquals(1, r.getSnapshot().getMin());
        assertEquals(2, r.count());
    }

    @Test
    void errorWindowCountsByTheCallersClock() {
        ErrorWindow w = new ErrorWindow(60);
        long now = System.nanoTime();
        w.record(false, now);
        w.record(true, now);
        w.record(true, System.nanoTime());
        long[] totals = w.totals();
        assertEquals(3, totals[0]);
        assertEquals(2, totals[1]);
        // A call a whole window ago is no longer counted.
        ErrorWindow old = new ErrorWindow(60);
        old.record(true, now - TimeUnit.SECONDS.toNanos(120));
        assertEquals(0, old.totals()[0]);
    }
}
