package dev.resilientjdbc.faulty;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A named set of {@link FaultRule}s that {@code jdbc:faulty:} connections follow. Reproducible:
 * rates draw from one Random seeded at creation, and calls are counted per rule. Records every call
 * and every exception it threw, so tests can assert which exact objects reached the application.
 */
public final class FaultPlan {
    private static final Map<String, FaultPlan> PLANS = new ConcurrentHashMap<>();

    /** A call the plan saw: method name, nanoTime, and the exception thrown (null when it passed). */
    public static final class Call {
        public final String method;
        public final long nanoTime;
        public final SQLException thrown;

        Call(String method, long nanoTime, SQLException thrown) {
            this.method = method;
            this.nanoTime = nanoTime;
            this.thrown = thrown;
        }
    }

    private final String name;
    private final List<FaultRule> rules;
    private final long[] matched;
    private final long[] faults;
    private final Random random;
    private final long armedAt = System.nanoTime();
    private final List<Call> calls = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();

    private FaultPlan(String name, long seed, List<FaultRule> rules) {
        this.name = name;
        this.rules = List.copyOf(rules);
        this.matched = new long[rules.size()];
        this.faults = new long[rules.size()];
        this.random = new Random(seed);
    }

    /** Registers a plan under {@code name} (replacing any earlier one); use it with {@code ?faulty.plan=name}. */
    public static FaultPlan register(String name, long seed, FaultRule... rules) {
        FaultPlan plan = new FaultPlan(name, seed, List.of(rules));
        PLANS.put(name, plan);
        return plan;
    }

    public static void unregister(String name) {
        PLANS.remove(name);
    }

    static FaultPlan find(String name) {
        return PLANS.get(name);
    }

    public String name() {
        return name;
    }

    /** A fault to throw instead of making the call, or null; a thrown fault is recorded as the call. */
    SQLException before(String method) {
        return decide(method, FaultRule.When.BEFORE, false);
    }

    /** After the real call succeeded: a fault to throw anyway, or null; the call is recorded either way. */
    SQLException after(String method) {
        return decide(method, FaultRule.When.AFTER, true);
    }

    /** The real call itself failed. */
    void failed(String method, SQLException e) {
        lock.lock();
        try {
            calls.add(new Call(method, System.nanoTime(), e));
        } finally {
            lock.unlock();
        }
    }

    private SQLException decide(String method, FaultRule.When when, boolean recordPass) {
        lock.lock();
        try {
            long now = System.nanoTime();
            for (int i = 0; i < rules.size(); i++) {
                FaultRule r = rules.get(i);
                if (r.when != when || !r.matches(method)) {
                    continue;
                }
                long n = ++matched[i];
                if (faults[i] < r.maxFaults && fires(r, n, now)) {
                    faults[i]++;
                    SQLException e = r.kind.create("faulty: injected " + r.sqlState + " on " + method + " (call " + n
                            + " of rule " + (i + 1) + " in plan " + name + ")", r.sqlState, r.vendorCode);
                    calls.add(new Call(method, now, e));
                    return e;
                }
            }
            if (recordPass) {
                calls.add(new Call(method, now, null));
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private boolean fires(FaultRule r, long n, long now) {
        long sinceArmed = now - armedAt;
        if (sinceArmed < r.from.toNanos() || (r.until != null && sinceArmed >= r.until.toNanos())) {
            return false;
        }
        boolean byCount = !r.nth.isEmpty() && r.nth.contains(n);
        boolean byRate = r.rate >= 0 && random.nextDouble() < r.rate;
        boolean always = r.nth.isEmpty() && r.rate < 0;
        return byCount || byRate || always;
    }

    /** Every call seen so far, in order. */
    public List<Call> calls() {
        lock.lock();
        try {
            return Collections.unmodifiableList(new ArrayList<>(calls));
        } finally {
            lock.unlock();
        }
    }

    /** The exceptions thrown so far, in order. */
    public List<SQLException> thrown() {
        List<SQLException> out = new ArrayList<>();
        for (Call c : calls()) {
            if (c.thrown != null) {
                out.add(c.thrown);
            }
        }
        return out;
    }

    /** Calls of this method seen so far (thrown or not). */
    public long count(String method) {
        return calls().stream().filter(c -> c.method.equals(method)).count();
    }
}
