package dev.resilientjdbc.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault-free figure with the sides taking turns: the turns alternate, raw first and last, and never
 * overlap; the warm-up is left out; a steady drift favours neither side; each side's rate is its commits
 * over its own slices, and the ratio is their quotient. The turns here are stand-ins; TurnGateTest runs
 * the real gate on a real ledger.
 */
class InterleavedTest {
    private static final Duration WINDOW = Duration.ofMillis(5);

    /** Commits {@code perTurn} in each turn, counted when the turn is paused (as in-flight operations finish). */
    private static final class FakeTurn implements Interleaved.Turn {
        private final String side;
        private final LongSupplier perTurn;
        private final List<String> events;
        private long committed;
        private int turns;

        FakeTurn(String side, long perTurn, List<String> events) {
            this(side, () -> perTurn, events);
        }

        FakeTurn(String side, LongSupplier perTurn, List<String> events) {
            this.side = side;
            this.perTurn = perTurn;
            this.events = events;
        }

        @Override
        public long committed() {
            return committed;
        }

        @Override
        public long errors() {
            return turns; // one error per turn, to see the errors counted per slice
        }

        @Override
        public void resume() {
            events.add("resume " + side);
        }

        @Override
        public void pause() {
            committed += perTurn.getAsLong();
            turns++;
            events.add("pause " + side);
        }
    }

    @Test
    void sidesTakeTurnsRawFirstAndLastAndNeverOverlap() throws Exception {
        List<String> events = new ArrayList<>();
        FakeTurn raw = new FakeTurn("raw", 100, events);
        FakeTurn ours = new FakeTurn("resilient", 90, events);
        Interleaved.Result r = Interleaved.measure(raw, ours, Duration.ZERO, WINDOW, 7);

        assertEquals(List.of("raw", "resilient", "raw", "resilient", "raw", "resilient", "raw"),
                r.slices().stream().map(Interleaved.Slice::side).toList());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.addAll(List.of("resume raw", "pause raw", "resume resilient", "pause resilient"));
        }
        expected.addAll(List.of("resume raw", "pause raw"));
        assertEquals(expected, events, "one side at a time, each paused before the other resumes");
        assertEquals(4, r.slices("raw"));
        assertEquals(3, r.slices("resilient"));
        for (Interleaved.Slice s : r.slices()) {
            assertEquals(s.side().equals("raw") ? 100 : 90, s.committed(), "a slice counts what its own turn committed: " + s);
            assertEquals(1, s.errors(), s.toString());
            assertTrue(s.nanos() >= WINDOW.toNanos(), "a turn lasts at least the window: " + s);
        }
    }

    @Test
    void ratioIsTheQuotientOfEachSidesCommitsOverItsOwnTime() throws Exception {
        List<String> events = new ArrayList<>();
        Interleaved.Result r = Interleaved.measure(new FakeTurn("raw", 100, events), new FakeTurn("resilient", 90, events),
                Duration.ZERO, WINDOW, 9);
        long[] committed = new long[2];
        long[] nanos = new long[2];
        for (Interleaved.Slice s : r.slices()) {
            int i = s.side().equals("raw") ? 0 : 1;
            committed[i] += s.committed();
            nanos[i] += s.nanos();
        }
        double raw = committed[0] * 1e9 / nanos[0];
        double ours = committed[1] * 1e9 / nanos[1];
        assertEquals(raw, r.perSecond("raw"), 1e-9);
        assertEquals(ours, r.perSecond("resilient"), 1e-9);
        assertEquals(ours / raw, r.ratio(), 1e-12);
    }

    @Test
    void warmUpTurnsComeInPairsAndAreNotMeasured() throws Exception {
        List<String> events = new ArrayList<>();
        FakeTurn raw = new FakeTurn("raw", 10, events);
        FakeTurn ours = new FakeTurn("resilient", 10, events);
        Interleaved.Result r = Interleaved.measure(raw, ours, WINDOW.multipliedBy(3), WINDOW, 5);

        assertEquals(5, r.slices().size());
        assertTrue(raw.turns > 3, "raw warmed up before the measured turns: " + raw.turns);
        assertEquals(raw.turns - 3, ours.turns - 2, "both sides warmed up alike");
        assertEquals(5 * 10, r.slices().stream().mapToLong(Interleaved.Slice::committed).sum(), "warm-up commits left out");
    }

    @Test
    void aSteadyDriftFavoursNeitherSide() throws Exception {
        // The same workload on both sides on a machine that speeds up by 10 commits per turn.
        int[] turnsSoFar = {0};
        LongSupplier drifting = () -> 100 + 10L * turnsSoFar[0]++;
        List<String> events = new ArrayList<>();
        Interleaved.Result r = Interleaved.measure(new FakeTurn("raw", drifting, events), new FakeTurn("resilient", drifting, events),
                Duration.ZERO, WINDOW, 9);
        assertEquals(mean(r, "raw"), mean(r, "resilient"), 1e-9, "both sides' slices centred on the same moment: " + r.slices());
    }

    private static double mean(Interleaved.Result r, String side) {
        return r.slices().stream().filter(s -> s.side().equals(side)).mapToLong(Interleaved.Slice::committed).average().orElseThrow();
    }

    @Test
    void figuresAndLineFromKnownSlices() {
        Interleaved.Result r = result(400, 600, 450, 500);
        assertEquals(1000.0, r.perSecond("raw"), 1e-9);
        assertEquals(950.0, r.perSecond("resilient"), 1e-9);
        assertEquals(0.95, r.ratio(), 1e-12);
        assertEquals("fault-free, sides alternating: raw 1000/s, resilient 950/s, ratio 0.95", r.line());
        assertEquals("2 + 2 slices of 500 ms, after a 2s warm-up", r.how());
        Interleaved.Result withErrors = new Interleaved.Result(Duration.ZERO, Duration.ofMillis(500), List.of(
                new Interleaved.Slice("raw", 10, 3, 500_000_000L), new Interleaved.Slice("resilient", 10, 0, 500_000_000L)));
        assertEquals("1 + 1 slices of 500 ms, after a 0s warm-up; errors: raw 3, resilient 0", withErrors.how());
    }

    @Test
    void rawCommittingNothingGivesNoRatio() {
        Interleaved.Result r = result(0, 0, 450, 500);
        assertEquals(0.0, r.perSecond("raw"));
        assertTrue(Double.isNaN(r.ratio()));
        assertTrue(r.line().endsWith("raw 0/s, resilient 950/s, ratio -"), r.line());
        Report raw = ledger("raw").interleaved(r);
        assertTrue(ReportFiles.json(Map.of(), List.of(raw)).contains("\"interleavedRatio\":null"));
    }

    @Test
    void evenOrTooFewSlicesAreRefused() {
        FakeTurn t = new FakeTurn("x", 1, new ArrayList<>());
        assertThrows(IllegalArgumentException.class, () -> Interleaved.measure(t, t, Duration.ZERO, WINDOW, 4));
        assertThrows(IllegalArgumentException.class, () -> Interleaved.measure(t, t, Duration.ZERO, WINDOW, 1));
    }

    @Test
    void consoleJsonAndPageShowTheFigureForTheLedgerOnly() {
        Interleaved.Result r = result(400, 600, 450, 500);
        Report raw = ledger("raw").interleaved(r);
        Report ours = ledger("resilient").interleaved(r);
        Report other = new Report("PostgreSQL deadlocks", "raw", "test", 10, 0, Map.of(), 0, 0, true, "", 1000);
        List<Report> reports = List.of(raw, ours, other);
        String line = "PostgreSQL ledger fault-free, sides alternating: raw 1000/s, resilient 950/s, ratio 0.95";

        String table = Report.table(reports);
        assertEquals(1, table.split(line, -1).length - 1, "once, not per side: " + table);
        String json = ReportFiles.json(Map.of(), reports);
        assertTrue(json.contains("\"side\":\"raw\"") && json.contains("\"interleavedPerSecond\":1000.00,\"interleavedRatio\":0.95,"
                + "\"interleavedSlices\":2,\"interleavedWindowMs\":500,\"interleavedWarmUpMs\":2000,\"interleavedSlicePerSecond\":[800.00,1200.00]"), json);
        assertTrue(json.contains("\"interleavedPerSecond\":950.00,\"interleavedRatio\":0.95,\"interleavedSlices\":2"), json);
        assertEquals(1, json.split("\"interleavedPerSecond\":null", -1).length - 1, "null for the workload without it: " + json);
        assertTrue(ReportFiles.html(Map.of(), reports).contains("<p class=\"interleaved\">" + line + " (2 + 2 slices of 500 ms, after a 2s warm-up)</p>"),
                "the page shows the line, and how it was measured");
    }

    // Raw's two slices, then resilient's, each 500 ms, run in turns.
    private static Interleaved.Result result(long raw1, long raw2, long ours1, long ours2) {
        long half = 500_000_000L;
        return new Interleaved.Result(Duration.ofSeconds(2), Duration.ofMillis(500), List.of(
                new Interleaved.Slice("raw", raw1, 0, half), new Interleaved.Slice("resilient", ours1, 0, half),
                new Interleaved.Slice("raw", raw2, 0, half), new Interleaved.Slice("resilient", ours2, 0, half)));
    }

    private static Report ledger(String side) {
        return new Report("PostgreSQL ledger", side, "test", 1000, 0, Map.of(), 0, 0, true, "", 1000);
    }
}
