package dev.resilientjdbc.reconnect;

import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The marker rows of one target (resilient.indoubt.marker): one row per open logical connection that
 * has committed a write, keyed by this JVM's run id and a slot number, and updated in place with a
 * sequence number at every writing COMMIT. The table therefore holds at most as many rows per JVM as
 * connections were open at once; a closed connection's slot goes to the next one, sequence and all.
 */
public final class CommitMarkers {
    private final String table;
    private final UUID run = UUID.randomUUID();
    private final AtomicInteger slots = new AtomicInteger();
    private final ConcurrentLinkedQueue<Slot> free = new ConcurrentLinkedQueue<>();

    public CommitMarkers(String table) {
        this.table = table;
    }

    /** The table, as validated by its option (letters, digits, _ and one optional schema dot). */
    String table() {
        return table;
    }

    UUID run() {
        return run;
    }

    Slot acquire() {
        Slot s = free.poll();
        return s != null ? s : new Slot(slots.getAndIncrement());
    }

    void release(Slot s) {
        free.add(s);
    }

    /** One marker row. Its sequence is touched only by the connection holding the slot. */
    static final class Slot {
        final int number;
        long sequence;

        Slot(int number) {
            this.number = number;
        }
    }

    /** A logical connection's hold on a slot, taken at its first writing COMMIT and given back when it closes. */
    static final class Holder {
        private static final java.lang.invoke.VarHandle SLOT;

        static {
            try {
                SLOT = java.lang.invoke.MethodHandles.lookup().findVarHandle(Holder.class, "slot", Slot.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        // Set and taken with compare-and-set through SLOT: no AtomicReference object per connection.
        private volatile Slot slot;

        Slot slot(CommitMarkers markers) {
            Slot s = slot;
            if (s == null) {
                s = markers.acquire();
                if (!SLOT.compareAndSet(this, null, s)) {
                    markers.release(s);
                    s = slot;
                }
            }
            return s;
        }

        void release(CommitMarkers markers) {
            Slot s = (Slot) SLOT.getAndSet(this, (Slot) null);
            if (s != null && markers != null) {
                markers.release(s);
            }
        }
    }
}
