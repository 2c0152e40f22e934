package dev.resilientjdbc.demo;


import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's "before the first fault" throughput: measured between the first sample and the last one
 * before the fault, so neither the start-up nor the outage counts; absent for a run without faults.
 */
class FaultFreeThroughputTest {
    private static Report side(String side, long[][] samples, long faultAtMs) {
        long[] last = samples[samples.length - 1];
        Report r = new Report("ledger", side, "test", last[1], 0, Map.of(), 0, 0, true, "", last[0]);
        r.timeline(List.of(samples));
        if (faultAtMs >= 0) {
            r.faults.add(new Object[]{faultAtMs, "crash"});
        }
        return r;
    }

    @Test
    void countsFromTheFirstSampleToTheLastBeforeTheFault() {
        // 0-250 ms: 10 (start-up); 250-1000 ms: 300 more; after the fault at 1100 ms: 5000 more.
        Report raw = side("raw", new long[][]{{250, 10, 0}, {500, 110, 0}, {1000, 310, 0}, {1250, 5310, 0}, {2000, 5400, 0}}, 1100);
        assertEquals(400.0, raw.faultFreePerSecond(), 1e-9);
        Report ours = side("resilient", new long[][]{{250, 5, 0}, {1000, 275, 0}, {1500, 900, 0}, {2000, 950, 0}}, 1100);
        assertEquals(360.0, ours.faultFreePerSecond(), 1e-9);
        assertEquals(List.of("ledger before the first fault: raw 400 tx/s, resilient 360 tx/s, ratio 0.90"),
                Report.faultFreeLines(List.of(raw, ours)));
        assertTrue(Report.table(List.of(raw, ours)).contains("ratio 0.90"));
    }

    @Test
    void noFaultOrTooFewSamplesBeforeItMeansNoFigure() {
        Report noFault = side("raw", new long[][]{{250, 10, 0}, {500, 110, 0}}, -1);
        assertTrue(Double.isNaN(noFault.faultFreePerSecond()));
        Report early = side("resilient", new long[][]{{250, 10, 0}, {500, 110, 0}}, 300);
        assertTrue(Double.isNaN(early.faultFreePerSecond()));
        assertEquals(List.of(), Report.faultFreeLines(List.of(noFault, early)));
    }
}
