package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Faults at instants after a run started, struck in time order by the thread that calls {@link #strike}. */
final class FaultSchedule {

    /** One fault and when it strikes, counted from the start of the run. */
    record At(ServerFault fault, Duration after) {
        @Override
        public String toString() {
            return fault + "@" + after.toMillis() + "ms";
        }
    }

    private final List<At> faults;

    private FaultSchedule(List<At> faults) {
        List<At> ordered = new ArrayList<>(faults);
        ordered.sort(Comparator.comparing(At::after));
        this.faults = List.copyOf(ordered);
    }

    static FaultSchedule of(List<At> faults) {
        return new FaultSchedule(faults);
    }

    /** One fault every {@code period}, the given kinds in turn, the last no later than {@code within}. */
    static FaultSchedule inTurn(Duration period, Duration within, ServerFault... kinds) {
        List<At> faults = new ArrayList<>();
        for (int i = 1; period.multipliedBy(i).compareTo(within) <= 0; i++) {
            faults.add(new At(kinds[(i - 1) % kinds.length], period.multipliedBy(i)));
        }
        return new FaultSchedule(faults);
    }

    int size() {
        return faults.size();
    }

    /**
     * Waits for each instant after {@code startNanos} (a {@link System#nanoTime()}) and strikes; a fault that takes long
     * delays only the ones already due.
     *
     * @return how many client connections the faults hit, all together (see {@link ServerFault#apply})
     */
    int strike(long startNanos, PgServer pg, ChaosProxy proxy) {
        int hit = 0;
        for (At f : faults) {
            long due = startNanos + f.after().toNanos();
            while (System.nanoTime() - due < 0) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            hit += f.fault().apply(pg, proxy);
        }
        return hit;
    }

    @Override
    public String toString() {
        return faults.toString();
    }
}
