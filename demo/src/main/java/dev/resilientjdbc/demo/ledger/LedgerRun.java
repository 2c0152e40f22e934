package dev.resilientjdbc.demo.ledger;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A started {@link LedgerWorkload}: its client threads, how to watch them and how to stop them.
 * Every thread it starts is a named daemon, and is ended (or reported hung) by {@link #awaitResult()}
 * or {@link #close()}; the caller is never blocked past the run's end plus the stop grace plus a few seconds.
 */
public final class LedgerRun implements AutoCloseable {

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long ABORT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final LedgerWorkload workload;
    private final long startNanos;
    private final long deadlineNanos;
    private final AtomicLong operationsLeft;
    private final List<LedgerClient> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean stopping;
    private boolean forced; // guarded by lock: clients were already interrupted and aborted once
    private LedgerWorkload.Result result;

    private LedgerRun(LedgerWorkload workload) {
        this.workload = workload;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + workload.duration().toNanos();
        this.operationsLeft = new AtomicLong(workload.operations());
    }

    static LedgerRun start(LedgerWorkload workload) {
        LedgerRun run = new LedgerRun(workload);
        int runId = RUNS.incrementAndGet();
        for (int i = 0; i < workload.clients(); i++) {
            String name = "ledger-client-" + runId + "-" + i;
            LedgerClient client = new LedgerClient(workload, workload.seed() * 1_000_003L + i, run::mayContinue,
                    new WorkerLog(name, run.startNanos), run.deadlineNanos);
            Thread thread = new Thread(client, name);
            thread.setDaemon(true);
            run.clients.add(client);
            run.threads.add(thread);
        }
        run.threads.forEach(Thread::start);
        return run;
    }

    private boolean mayContinue() {
        if (stopping || Thread.currentThread().isInterrupted() || System.nanoTime() - deadlineNanos >= 0) {
            return false;
        }
        return workload.operations() < 0 || operationsLeft.getAndDecrement() > 0;
    }

    /** Transfers acknowledged so far, all clients together; for waiting on progress while the run goes on. */
    public long committedSoFar() {
        return clients.stream().mapToLong(c -> c.log().acknowledgedCount()).sum();
    }

    /** Transfers that failed so far. */
    public long failedSoFar() {
        return clients.stream().mapToLong(c -> c.log().failureCount()).sum();
    }

    /** Failed transfers and failed reads so far: every error that reached the application. */
    public long errorsSoFar() {
        return clients.stream().mapToLong(c -> c.log().errorCount()).sum();
    }

    /** {@code getConnection} calls that failed so far (not in {@link #errorsSoFar()}). */
    public long connectFailuresSoFar() {
        return clients.stream().mapToLong(c -> c.log().connectFailureCount()).sum();
    }

    /** Reads that failed so far. */
    public long readsFailedSoFar() {
        return clients.stream().mapToLong(c -> c.log().readFailureCount()).sum();
    }

    /** Asks the clients to stop after their current operation; returns at once. */
    public void stop() {
        stopping = true;
    }

    /**
     * Waits for the run to end and returns its result (the same one on later calls). Clients still
     * running at the end plus the stop grace are interrupted and their connections aborted; those
     * that do not end within a few more seconds are reported in {@link LedgerWorkload.Result#hungThreads()}.
     *
     * @throws InterruptedException when the caller is interrupted; the clients are stopped first
     */
    public LedgerWorkload.Result awaitResult() throws InterruptedException {
        lock.lock();
        try {
            if (result != null) {
                return result;
            }
            try {
                // After an interrupted wait the clients have had their abort; do not wait out the whole run again.
                long joinUntil = forced ? System.nanoTime() : deadlineNanos + workload.stopGrace().toNanos();
                for (Thread t : threads) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinUntil - System.nanoTime())));
                }
                List<String> hung = forceStop();
                result = new LedgerWorkload.Result(workload.url(), workload.schema(),
                        Duration.ofNanos(System.nanoTime() - startNanos), snapshots(), hung);
                return result;
            } catch (InterruptedException e) {
                forced = true;
                forceStop();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the clients and waits for them as {@link #awaitResult()} does; keeps the caller's interrupt status. */
    @Override
    public void close() {
        stop();
        try {
            awaitResult();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // Interrupt and abort whoever is still running; returns the names of threads that outlive that.
    // A client may be inside getConnection when this starts, so connections that appear later are aborted too.
    private List<String> forceStop() {
        stopping = true;
        Connection[] aborted = new Connection[threads.size()];
        long waitUntil = System.nanoTime() + ABORT_WAIT_NANOS;
        boolean interrupted = false;
        while (true) {
            boolean anyAlive = false;
            for (int i = 0; i < threads.size(); i++) {
                Thread t = threads.get(i);
                if (!t.isAlive()) {
                    continue;
                }
                anyAlive = true;
                t.interrupt();
                Connection current = clients.get(i).connection();
                if (current != null && current != aborted[i]) {
                    aborted[i] = current;
                    abortAsync(current, t.getName());
                }
            }
            if (!anyAlive || System.nanoTime() - waitUntil >= 0) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                interrupted = true; // finish stopping the clients first
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        List<String> hung = new ArrayList<>();
        threads.stream().filter(Thread::isAlive).forEach(t -> hung.add(t.getName()));
        return hung;
    }

    // Connection.abort is the JDBC way to end a call blocked in another thread; on its own thread so a driver that blocks here cannot block us.
    private static void abortAsync(Connection connection, String clientName) {
        if (connection == null) {
            return;
        }
        Thread aborter = new Thread(() -> {
            try {
                connection.abort(Runnable::run);
            } catch (Throwable abortUnsupported) {
                LedgerClient.closeQuietly(connection);
            }
        }, clientName + "-abort");
        aborter.setDaemon(true);
        aborter.start();
    }

    private List<WorkerLog.Snapshot> snapshots() {
        long now = System.nanoTime();
        return clients.stream().map(c -> c.log().snapshot(now)).toList();
    }

    /** The URL without anything after {@code ?} or {@code ;}, which may hold credentials. */
    static String redact(String url) {
        int cut = url.length();
        for (char c : new char[] {'?', ';'}) {
            int at = url.indexOf(c, url.startsWith("jdbc:") ? 5 : 0);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return cut < url.length() ? url.substring(0, cut) + "?..." : url;
    }

    @Override
    public String toString() {
        return "LedgerRun[" + workload + "]";
    }
}
