package dev.resilientjdbc.demo.ledger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One application thread in the legacy style: a single long-lived connection, transfers in explicit
 * transactions, autocommit reads in between; on any failure it rolls back, forgets, and goes on.
 * A transfer reads both balances through one {@code PreparedStatement} and updates both through
 * another, rebinding its parameters between executions, as hand-written JDBC applications do.
 */
final class LedgerClient implements Runnable {

    private static final long RECONNECT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String url;
    private final Properties properties;
    private final LedgerSchema schema;
    private final Dialect dialect;
    private final double readShare;
    private final long maxAmount;
    private final boolean deadlockProne;
    private final boolean reopenClosed;
    private final Random random;
    private final BooleanSupplier mayContinue;
    private final WorkerLog log;
    private final long deadlineNanos;
    private volatile Connection connection; // read by the coordinator to abort a hung call
    private final javax.sql.DataSource pool; // null: one long-lived connection
    private final TurnGate gate; // null: no turns, always open

    LedgerClient(LedgerWorkload workload, long seed, BooleanSupplier mayContinue, WorkerLog log, long deadlineNanos) {
        this.url = workload.url();
        this.properties = workload.properties();
        this.schema = workload.schema();
        this.dialect = Dialect.of(url);
        this.readShare = workload.readShare();
        this.maxAmount = workload.maxAmount();
        this.deadlockProne = workload.deadlockProne();
        this.reopenClosed = workload.reopenClosedConnections();
        this.random = new Random(seed);
        this.mayContinue = mayContinue;
        this.log = log;
        this.deadlineNanos = deadlineNanos;
        this.pool = workload.pool();
        this.gate = workload.gate();
    }

    Connection connection() {
        return connection;
    }

    WorkerLog log() {
        return log;
    }

    @Override
    public void run() {
        try {
            while (mayContinue.getAsBoolean()) {
                if (connection == null && !open()) {
                    pause(RECONNECT_BACKOFF_NANOS);
                    continue;
                }
                // Connected first, so a run's turn (see TurnGate) is spent on operations, not on connecting.
                if (gate != null && !gate.enter(TurnGate.CLIENT_WAIT_NANOS)) {
                    continue;
                }
                try {
                    if (random.nextDouble() < readShare) {
                        read();
                    } else {
                        transfer();
                    }
                } finally {
                    if (gate != null) {
                        gate.exit();
                    }
                }
                if (pool != null) { // request-scoped: the borrowed connection goes back to the pool
                    closeQuietly(connection);
                    connection = null;
                }
            }
        } finally {
            closeQuietly(connection);
            connection = null;
        }
    }

    private boolean open() {
        try {
            connection = pool != null ? pool.getConnection() : DriverManager.getConnection(url, properties);
            return true;
        } catch (SQLException e) {
            log.connectFailed(e.getSQLState());
            return false;
        }
    }

    private void transfer() {
        Connection c = connection;
        Transfer t = nextTransfer();
        log.begin(t);
        long start = System.nanoTime();
        boolean atCommit = false;
        try {
            c.setAutoCommit(false);
            // Lock in id order so concurrent transfers queue instead of deadlocking; deadlock-prone runs lock in transfer direction.
            boolean fromFirst = deadlockProne || t.fromId() < t.toId();
            int first = fromFirst ? t.fromId() : t.toId();
            int second = fromFirst ? t.toId() : t.fromId();
            long fromBalance;
            // One statement for both reads and one for both updates, as real applications write it: after a
            // replay, the second execution must run with what the application bound last (issue 13).
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT balance FROM " + LedgerSchema.ACCOUNTS + " WHERE id = ?" + dialect.lockSuffix())) {
                long firstBalance = balance(read, first);
                long secondBalance = balance(read, second);
                fromBalance = fromFirst ? firstBalance : secondBalance;
            }
            if (fromBalance < t.amount()) {
                c.rollback();
                c.setAutoCommit(true);
                log.declined(t, System.nanoTime());
                return;
            }
            try (PreparedStatement move = c.prepareStatement(
                    "UPDATE " + LedgerSchema.ACCOUNTS + " SET balance = balance + ? WHERE id = ?")) {
                move(move, t.fromId(), -t.amount());
                move(move, t.toId(), t.amount());
            }
            journal(c, t);
            atCommit = true;
            c.commit();
            log.acknowledged(t, start, System.nanoTime());
        } catch (SQLException e) {
            log.failed(t, e, atCommit);
            rollbackQuietly(c);
            reopenIfBroken(c, e);
            return;
        }
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            reopenIfBroken(c, e);
        }
    }

    private void read() {
        Connection c = connection;
        long start = System.nanoTime();
        try {
            boolean consistent = true;
            if (random.nextBoolean()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT sum(balance) FROM " + LedgerSchema.ACCOUNTS);
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    // One statement sees one snapshot, so a half-applied transfer would show here.
                    consistent = rs.getLong(1) == schema.expectedTotal();
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM " + LedgerSchema.ACCOUNTS + " WHERE id = ?")) {
                    ps.setInt(1, 1 + random.nextInt(schema.accounts()));
                    try (ResultSet rs = ps.executeQuery()) {
                        consistent = rs.next();
                    }
                }
            }
            log.readOk(start, System.nanoTime(), consistent);
        } catch (SQLException e) {
            log.readFailed(e);
            reopenIfBroken(c, e);
        }
    }

    private Transfer nextTransfer() {
        int from = 1 + random.nextInt(schema.accounts());
        int to = 1 + random.nextInt(schema.accounts() - 1);
        if (to >= from) {
            to++;
        }
        long amount = 1 + (long) (random.nextDouble() * maxAmount);
        // The seeded Random only drives the workload's shape; ids must be unique across runs too.
        return new Transfer(UUID.randomUUID().toString(), from, to, Math.min(amount, maxAmount));
    }

    private static long balance(PreparedStatement read, int id) throws SQLException {
        read.setInt(1, id);
        try (ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("account " + id + " does not exist", "02000");
            }
            return rs.getLong(1);
        }
    }

    private static void move(PreparedStatement move, int id, long delta) throws SQLException {
        move.setLong(1, delta);
        move.setInt(2, id);
        int updated = move.executeUpdate();
        if (updated != 1) {
            throw new SQLException("account " + id + ": " + updated + " rows updated", "02000");
        }
    }

    private static void journal(Connection c, Transfer t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + LedgerSchema.JOURNAL + " (transfer_id, from_id, to_id, amount) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, t.id());
            ps.setInt(2, t.fromId());
            ps.setInt(3, t.toId());
            ps.setLong(4, t.amount());
            ps.executeUpdate();
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException ignored) {
            // the app has already given this transaction up
        }
        try {
            c.setAutoCommit(true);
        } catch (SQLException | RuntimeException ignored) {
            // a dead connection is found by reopenIfBroken
        }
    }

    /** What an app with a connection that died would do: notice {@code isClosed()} (or a failed validity check after a connection error) and open a new one. */
    private void reopenIfBroken(Connection c, SQLException cause) {
        if (!reopenClosed) {
            return;
        }
        boolean broken;
        try {
            broken = c.isClosed();
            String state = cause.getSQLState();
            if (!broken && state != null && (state.startsWith("08") || state.startsWith("57P0"))) {
                broken = !c.isValid(2);
            }
        } catch (SQLException | RuntimeException e) {
            broken = true;
        }
        if (broken) {
            closeQuietly(c);
            connection = null;
            log.reopened();
        }
    }

    private void pause(long nanos) {
        long until = Math.min(System.nanoTime() + nanos, deadlineNanos);
        long left;
        while ((left = until - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(left);
        }
    }

    static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // closing a broken connection may fail; it is gone either way
        }
    }
}
