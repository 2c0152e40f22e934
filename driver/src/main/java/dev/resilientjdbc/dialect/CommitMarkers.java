package dev.resilientjdbc.dialect;

import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The marker rows of one target's table (resilient.indoubt.marker): one row per open logical
 * connection that has committed a write, keyed by this JVM's run id and a slot number, and updated in
 * place with a sequence number at every writing COMMIT. Run id and slots belong to the JVM (this
 * driver's class loader), not to a target: a target looked up again, or two URLs naming the same
 * database, never start a second run or hand out the same slot twice. Each table therefore holds at
 * most as many rows per JVM as connections were open at once; a closed connection's slot goes to the
 * next one, sequence and all.
 */
public final class CommitMarkers {
    private static final UUID RUN = UUID.randomUUID();
    private static final AtomicInteger SLOTS = new AtomicInteger();
    private static final ConcurrentLinkedQueue<Slot> FREE = new ConcurrentLinkedQueue<>();

    private final String table;

    public CommitMarkers(String table) {
        this.table = table;
    }

    /** The table, as validated by its option (letters, digits, _ and one optional schema dot). */
    String table() {
        return table;
    }

    static UUID run() {
        return RUN;
    }

    static Slot acquire() {
        Slot s = FREE.poll();
        return s != null ? s : new Slot(SLOTS.getAndIncrement());
    }

    static void release(Slot s) {
        FREE.add(s);
    }

    // How long a row this JVM wrote is taken to be still there: prepare() removes rows untouched for a day, so a
    // row written within the hour is one no cleanup has removed (see PostgresInDoubt.commitWithMarker).
    private static final long ROW_FRESH_NANOS = java.util.concurrent.TimeUnit.HOURS.toNanos(1);

    // Rows written before this moment are not taken to be there: the table was found gone and made again.
    private volatile long rowsSince = System.nanoTime();

    /** Whether {@code s}'s row is known to be in this table: written here by a COMMIT that answered, within the hour. */
    boolean rowThere(Slot s) {
        long now = System.nanoTime();
        return s.rowIn == this && now - s.rowAt < ROW_FRESH_NANOS && s.rowAt - rowsSince >= 0;
    }

    /** The table was found gone (made again since): no row written before now is there; each is upserted anew. */
    void forgetRows() {
        rowsSince = System.nanoTime();
    }

    /** A COMMIT that wrote {@code s}'s row in this table answered: the row is there. */
    void rowWritten(Slot s) {
        s.rowIn = this;
        s.rowAt = System.nanoTime();
    }

    /** {@code s}'s row was not found where it was taken to be: the next COMMIT writes it anew. */
    void rowGone(Slot s) {
        s.rowIn = null;
    }

    /** One marker row. Its fields are touched only by the connection holding the slot. */
    static final class Slot {
        final int number;
        long sequence;
        // The table (one per target) whose row for this slot a COMMIT last wrote and saw answered, and when.
        CommitMarkers rowIn;
        long rowAt;

        Slot(int number) {
            this.number = number;
        }
    }

    /** A logical connection's hold on a slot, taken at its first writing COMMIT and given back when it closes. */
    public static final class Holder {
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
        // The marker row's UPDATE with COMMIT, prepared on the physical connection this logical one runs on and kept
        // for its next writing COMMIT there (a new pgjdbc statement per COMMIT was 2 % of a busy pool's CPU in
        // async-profiler); closed when the connection closes or runs on another physical connection. One thread
        // commits on a connection at a time, as JDBC has it.
        private java.sql.PreparedStatement update;
        private java.sql.Connection updateOn;

        java.sql.PreparedStatement updateStatement(java.sql.Connection physical, String sql) throws java.sql.SQLException {
            java.sql.PreparedStatement s = update;
            if (s != null && updateOn == physical && !s.isClosed()) {
                return s;
            }
            closeUpdate();
            s = physical.prepareStatement(sql);
            update = s;
            updateOn = physical;
            return s;
        }

        private void closeUpdate() {
            java.sql.PreparedStatement s = update;
            update = null;
            updateOn = null;
            if (s != null) {
                try {
                    s.close();
                } catch (java.sql.SQLException | RuntimeException gone) {
                    // its connection went first: nothing of ours is left open on the server
                }
            }
        }

        Slot slot() {
            Slot s = slot;
            if (s == null) {
                s = acquire();
                if (!SLOT.compareAndSet(this, null, s)) {
                    CommitMarkers.release(s);
                    s = slot;
                }
            }
            return s;
        }

        /** As release(), but the slot is not given to another connection (its row may still be written by a settlement). */
        public void abandon() {
            closeUpdate();
            SLOT.getAndSet(this, (Slot) null);
        }

        public void release() {
            closeUpdate();
            Slot s = (Slot) SLOT.getAndSet(this, (Slot) null);
            if (s != null) {
                CommitMarkers.release(s);
            }
        }
    }
}
