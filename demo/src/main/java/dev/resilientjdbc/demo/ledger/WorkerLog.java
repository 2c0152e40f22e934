package dev.resilientjdbc.demo.ledger;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What one client thread saw. Written by its thread only; read by the coordinator, possibly while
 * that thread still hangs in a driver call, hence the (uncontended) lock. The lock is never held
 * across a JDBC call.
 */
final class WorkerLog {

    private final ReentrantLock lock = new ReentrantLock();
    private final String threadName;
    private final List<Transfer> acknowledged = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final List<Transfer> declined = new ArrayList<>();
    private final List<String> readFailureStates = new ArrayList<>();
    private long[] transferNanos = new long[1024];
    private int transferCount;
    private long[] readNanos = new long[1024];
    private int readCount;
    private long inconsistentReads;
    private long reopens;
    private long connectFailures;
    private final List<String> connectFailureStates = new ArrayList<>();
    private Transfer inFlight;
    private long lastSuccessNanos;
    private long longestPauseNanos;

    WorkerLog(String threadName, long startNanos) {
        this.threadName = threadName;
        this.lastSuccessNanos = startNanos;
    }

    String threadName() {
        return threadName;
    }

    void begin(Transfer transfer) {
        lock.lock();
        try {
            inFlight = transfer;
        } finally {
            lock.unlock();
        }
    }

    void acknowledged(Transfer transfer, long startNanos, long endNanos) {
        lock.lock();
        try {
            inFlight = null;
            acknowledged.add(transfer);
            if (transferCount == transferNanos.length) {
                transferNanos = Arrays.copyOf(transferNanos, transferCount * 2);
            }
            transferNanos[transferCount++] = endNanos - startNanos;
            success(endNanos);
        } finally {
            lock.unlock();
        }
    }

    void declined(Transfer transfer, long endNanos) {
        lock.lock();
        try {
            inFlight = null;
            declined.add(transfer);
            success(endNanos);
        } finally {
            lock.unlock();
        }
    }

    void failed(Transfer transfer, SQLException e, boolean atCommit) {
        lock.lock();
        try {
            inFlight = null;
            failures.add(new Failure(transfer, e.getSQLState(), e.getClass().getName(), e.getMessage(), atCommit));
        } finally {
            lock.unlock();
        }
    }

    void readOk(long startNanos, long endNanos, boolean consistent) {
        lock.lock();
        try {
            if (readCount == readNanos.length) {
                readNanos = Arrays.copyOf(readNanos, readCount * 2);
            }
            readNanos[readCount++] = endNanos - startNanos;
            if (!consistent) {
                inconsistentReads++;
            }
            success(endNanos);
        } finally {
            lock.unlock();
        }
    }

    void readFailed(SQLException e) {
        lock.lock();
        try {
            readFailureStates.add(e.getSQLState());
        } finally {
            lock.unlock();
        }
    }

    void reopened() {
        lock.lock();
        try {
            reopens++;
        } finally {
            lock.unlock();
        }
    }

    void connectFailed(String sqlState) {
        lock.lock();
        try {
            connectFailures++;
            connectFailureStates.add(String.valueOf(sqlState));
        } finally {
            lock.unlock();
        }
    }

    int acknowledgedCount() {
        lock.lock();
        try {
            return acknowledged.size();
        } finally {
            lock.unlock();
        }
    }

    int failureCount() {
        lock.lock();
        try {
            return failures.size();
        } finally {
            lock.unlock();
        }
    }

    /** Failed transfers and failed reads: every error that reached this client. */
    int errorCount() {
        lock.lock();
        try {
            return failures.size() + readFailureStates.size();
        } finally {
            lock.unlock();
        }
    }

    long connectFailureCount() {
        lock.lock();
        try {
            return connectFailures;
        } finally {
            lock.unlock();
        }
    }

    int readFailureCount() {
        lock.lock();
        try {
            return readFailureStates.size();
        } finally {
            lock.unlock();
        }
    }

    private void success(long nowNanos) {
        longestPauseNanos = Math.max(longestPauseNanos, nowNanos - lastSuccessNanos);
        lastSuccessNanos = nowNanos;
    }

    /** A consistent copy; the silence since the last success up to {@code endNanos} counts as a pause too. */
    Snapshot snapshot(long endNanos) {
        lock.lock();
        try {
            return new Snapshot(threadName, List.copyOf(acknowledged), List.copyOf(failures), List.copyOf(declined),
                    List.copyOf(readFailureStates), Arrays.copyOf(transferNanos, transferCount),
                    Arrays.copyOf(readNanos, readCount), inconsistentReads, reopens, connectFailures, List.copyOf(connectFailureStates), inFlight,
                    Math.max(longestPauseNanos, endNanos - lastSuccessNanos));
        } finally {
            lock.unlock();
        }
    }

    record Snapshot(String threadName, List<Transfer> acknowledged, List<Failure> failures, List<Transfer> declined,
                    List<String> readFailureStates, long[] transferNanos, long[] readNanos, long inconsistentReads,
                    long reopens, long connectFailures, List<String> connectFailureStates, Transfer inFlight, long longestPauseNanos) {
    }
}
