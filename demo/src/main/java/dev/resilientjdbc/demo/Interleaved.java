package dev.resilientjdbc.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Fault-free throughput with the two sides taking turns: raw, resilient, raw, ..., raw in short slices
 * of the same length, after a warm-up taken the same way. A machine that gets busier or quieter during
 * the measurement (JIT, another process, the database's own housekeeping) then weighs on both sides
 * alike, which two runs one after the other cannot promise. Raw goes first and last, so both sides'
 * slices are centred on the same moment and a steady drift favours neither.
 */
final class Interleaved {
    static final String RAW = "raw";
    static final String RESILIENT = "resilient";

    /** One side's workload, started with its connections open and paused between its turns. */
    interface Turn {
        /** Committed so far; exact while paused. */
        long committed();

        /** Errors that reached the application so far. */
        long errors();

        void resume();

        /** Returns once no operation of this side is in flight. */
        void pause() throws InterruptedException;
    }

    /** One turn of one side: what it committed in how long. */
    record Slice(String side, long committed, long errors, long nanos) {
        double perSecond() {
            return nanos > 0 ? committed * 1e9 / nanos : 0;
        }
    }

    /** The measured slices (warm-up left out), in the order they ran. */
    record Result(Duration warmUp, Duration window, List<Slice> slices) {
        Result {
            slices = List.copyOf(slices);
        }

        /** The side's committed per second over all its slices together. */
        double perSecond(String side) {
            long committed = 0;
            long nanos = 0;
            for (Slice s : slices) {
                if (s.side().equals(side)) {
                    committed += s.committed();
                    nanos += s.nanos();
                }
            }
            return nanos > 0 ? committed * 1e9 / nanos : 0;
        }

        int slices(String side) {
            return (int) slices.stream().filter(s -> s.side().equals(side)).count();
        }

        long errors(String side) {
            return slices.stream().filter(s -> s.side().equals(side)).mapToLong(Slice::errors).sum();
        }

        /** Resilient ÷ raw; NaN when the raw side committed nothing (no ratio to give). */
        double ratio() {
            double raw = perSecond(RAW);
            return raw > 0 ? perSecond(RESILIENT) / raw : Double.NaN;
        }

        String line() {
            double ratio = ratio();
            return String.format(Locale.ROOT, "fault-free, sides alternating: raw %.0f/s, resilient %.0f/s, ratio %s",
                    perSecond(RAW), perSecond(RESILIENT), Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio));
        }

        /** How it was measured; apart from {@link #line()}, so the console's lines stay within 120 columns. */
        String how() {
            String errors = errors(RAW) + errors(RESILIENT) == 0 ? ""
                    : String.format(Locale.ROOT, "; errors: raw %d, resilient %d", errors(RAW), errors(RESILIENT));
            return String.format(Locale.ROOT, "%d + %d slices of %d ms, after a %s warm-up%s", slices(RAW), slices(RESILIENT),
                    window.toMillis(), DemoMain.format(warmUp), errors);
        }
    }

    private Interleaved() {}

    /**
     * Alternates the sides, raw first, in turns of {@code window}: for {@code warmUp} (whole pairs, so both
     * warm up), then {@code slices} measured turns, raw first and last. Both sides are paused when it returns.
     */
    static Result measure(Turn raw, Turn resilient, Duration warmUp, Duration window, int slices) throws InterruptedException {
        if (slices < 3 || slices % 2 == 0) {
            throw new IllegalArgumentException("slices must be odd and at least 3, raw first and last: " + slices);
        }
        long warmEnd = System.nanoTime() + warmUp.toNanos();
        while (System.nanoTime() - warmEnd < 0) {
            turn(RAW, raw, window);
            turn(RESILIENT, resilient, window);
        }
        List<Slice> measured = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            measured.add(i % 2 == 0 ? turn(RAW, raw, window) : turn(RESILIENT, resilient, window));
        }
        return new Result(warmUp, window, measured);
    }

    // Counted from resume to the end of the pause: the operations still in flight at the window's end finish inside the slice.
    private static Slice turn(String side, Turn turn, Duration window) throws InterruptedException {
        long committed = turn.committed();
        long errors = turn.errors();
        long start = System.nanoTime();
        turn.resume();
        long end = start + window.toNanos();
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                turn.pause();
                throw new InterruptedException();
            }
        }
        turn.pause();
        return new Slice(side, turn.committed() - committed, turn.errors() - errors, System.nanoTime() - start);
    }
}
