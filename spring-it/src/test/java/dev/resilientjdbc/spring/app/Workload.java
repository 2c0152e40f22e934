package dev.resilientjdbc.spring.app;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * {@code threads} threads doing {@link Ledger#transfer} back to back with ids 1, 2, 3, ... Every exception the
 * application sees is counted as an error (its SQLState kept for the report); a transfer that returned is
 * acknowledged. Progress is observable ({@link #awaitOps}) and reported every 10 operations.
 */
public final class Workload {
    private final Ledger ledger;
    private final String run;
    private final int accounts;
    private final List<Thread> threads = new ArrayList<>();
    private final LongConsumer progress;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final Object opsLock = new Object();
    private long ops;
    private volatile boolean stopping;

    public Workload(Ledger ledger, String run, int accounts, int threads, LongConsumer progress) {
        this.ledger = ledger;
        this.run = run;
        this.accounts = accounts;
        this.progress = progress;
        for (int i = 0; i < threads; i++) {
            this.threads.add(new Thread(this::loop, "ledger-app-" + i));
        }
    }

    public void start() {
        threads.forEach(Thread::start);
    }

    private void loop() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stopping) {
            long id = ids.incrementAndGet();
            int from = random.nextInt(accounts);
            int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
            try {
                ledger.transfer(run, id, from, to, 1 + random.nextInt(100));
                acked.incrementAndGet();
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, describe(e));
            }
            long n;
            synchronized (opsLock) {
                n = ++ops;
                opsLock.notifyAll();
            }
            if (n % 10 == 0) {
                progress.accept(n);
            }
        }
    }

    private static String describe(Throwable e) {
        String state = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                state = sql.getSQLState();
            }
        }
        return e.getClass().getSimpleName() + " [" + state + "] " + e.getMessage();
    }

    public long ops() {
        synchronized (opsLock) {
            return ops;
        }
    }

    /** Waits until {@code more} operations beyond the current count have finished. */
    public void awaitMore(long more, java.time.Duration timeout) throws InterruptedException {
        awaitOps(ops() + more, timeout);
    }

    public void awaitOps(long target, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (opsLock) {
            while (ops < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("only " + ops + " of " + target + " operations within " + timeout
                            + "; errors " + errors + ", first: " + firstError.get());
                }
                opsLock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Stops after each thread's current transfer; what happened. */
    public Result stop() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            t.join(120_000);
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not finish its transfer within 120 s");
            }
        }
        return new Result(ids.get(), acked.get(), errors.get(), firstError.get());
    }

    /** {@code attempted} = the highest id handed out; every id from 1 to it was tried exactly once by the application. */
    public record Result(long attempted, long acked, long errors, String firstError) {
        public String format() {
            return "attempted=" + attempted + " acked=" + acked + " errors=" + errors + " first=" + firstError;
        }

        public static Result parse(String line) {
            String s = line.substring(line.indexOf("attempted="));
            long attempted = Long.parseLong(s.substring(10, s.indexOf(' ')));
            s = s.substring(s.indexOf("acked=") + 6);
            long acked = Long.parseLong(s.substring(0, s.indexOf(' ')));
            s = s.substring(s.indexOf("errors=") + 7);
            long errors = Long.parseLong(s.substring(0, s.indexOf(' ')));
            String first = s.substring(s.indexOf("first=") + 6);
            return new Result(attempted, acked, errors, first.equals("null") ? null : first);
        }
    }
}
