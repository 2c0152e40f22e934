package dev.resilientjdbc.it.retry;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.faulty.FaultPlan;
import dev.resilientjdbc.faulty.FaultRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry layer's policies, driven by injected faults over a real in-memory SQLite database.
 * Unit tests of policy arithmetic only; resilience claims are made by the real-fault tests.
 */
class RetryPolicyTest {
    private final String plan = "plan-" + UUID.randomUUID();

    @AfterEach
    void forget() {
        FaultPlan.unregister(plan);
    }

    private String url(String options) {
        return "jdbc:resilient:faulty:sqlite::memory:?faulty.plan=" + plan + "&resilient.dialect=postgresql"
                + "&resilient.retry.jitter=0" + (options.isEmpty() ? "" : "&" + options);
    }

    private static List<Long> gapsMs(FaultPlan p, String method) {
        List<Long> times = new ArrayList<>();
        for (FaultPlan.Call c : p.calls()) {
            if (c.method.equals(method)) {
                times.add(c.nanoTime);
            }
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add((times.get(i) - times.get(i - 1)) / 1_000_000);
        }
        return gaps;
    }

    @Test
    void fatalErrorIsTheSameObjectAtOnceWithNothingAdded() throws Exception {
        FaultPlan p = FaultPlan.register(plan, 1, FaultRule.on("executeQuery").nth(1).sqlState("42601").build());
        try (Connection c = DriverManager.getConnection(url("")); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertSame(p.thrown().get(0), e);
            assertEquals(0, e.getSuppressed().length);
            assertEquals(1, p.count("executeQuery"));
        }
    }

    @Test
    void exponentialBackoffRetriesUntilSuccess() throws Exception {
        FaultPlan p = FaultPlan.register(plan, 1, FaultRule.on("executeUpdate").first(3).sqlState("40001").build());
        try (Connection c = DriverManager.getConnection(url("resilient.retry.baseDelay=40ms&resilient.retry.maxDelay=1s"));
             Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE t(x int)"); // fails three times, then runs
        }
        List<Long> gaps = gapsMs(p, "executeUpdate");
        assertEquals(3, p.thrown().size());
        assertEquals(3, gaps.size(), "four attempts: " + gaps);
        assertTrue(gaps.get(0) >= 40 && gaps.get(1) >= 80 && gaps.get(2) >= 160, "40, 80, 160 ms: " + gaps);
        assertTrue(gaps.get(2) < 2000, "not absurdly longer: " + gaps);
    }

    /**
     * Each strategy's delays, told apart from the others: with baseDelay 60 ms and four retries, linear
     * waits 60, 120, 180, 240 ms, fixed 60 ms each time, exponential (the default) 60, 120, 240, 480 ms.
     * A gap may come late on a loaded machine, never early, so each lies between its expected delay and
     * one step (60 ms) more: fixed stays below linear's second delay, linear below exponential's third,
     * and the lower bounds keep linear above fixed and exponential above linear.
     */
    @Test
    void linearFixedAndRandomStrategies() throws Exception {
        // The first retry in a fresh JVM loads the retry machinery (tens of milliseconds): not timed.
        runStrategy("fixed", 1, 2, "resilient.retry.maxDelay=2s");
        assertGaps("linear", new long[]{60, 120, 180, 240});
        assertGaps("fixed", new long[]{60, 60, 60, 60});
        assertGaps("exponential", new long[]{60, 120, 240, 480});

        // Random: uniform between baseDelay (10 ms) and maxDelay (200 ms), and really random: nine draws do
        // not all land within 40 ms of each other (chance about 1e-5), and do not grow step by step as
        // the exponential strategy's would (chance 1/9!).
        List<Long> random = runStrategy("random", 10, 9, "resilient.retry.maxDelay=200ms");
        assertEquals(9, random.size(), "ten attempts: " + random);
        for (long g : random) {
            assertTrue(g >= 10 && g < 200 + 100, "random between 10 and 200 ms: " + random);
        }
        long spread = random.stream().mapToLong(Long::longValue).max().orElseThrow()
                - random.stream().mapToLong(Long::longValue).min().orElseThrow();
        assertTrue(spread >= 40, "random delays vary: " + random);
        boolean growing = true;
        for (int i = 1; i < random.size(); i++) {
            growing &= random.get(i) >= random.get(i - 1);
        }
        assertFalse(growing, "random delays do not grow step by step: " + random);
    }

    private void assertGaps(String strategy, long[] expected) throws Exception {
        long step = expected[0];
        List<Long> gaps = runStrategy(strategy, step, expected.length, "resilient.retry.maxDelay=2s");
        assertEquals(expected.length, gaps.size(), strategy + ": " + gaps);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(gaps.get(i) >= expected[i] && gaps.get(i) < expected[i] + step,
                    strategy + " gap " + i + " should be " + expected[i] + " ms (up to " + step + " ms late): " + gaps);
        }
    }

    private List<Long> runStrategy(String strategy, long baseMs, int failures, String extra) throws Exception {
        FaultPlan.unregister(plan);
        FaultPlan p = FaultPlan.register(plan, 1, FaultRule.on("executeQuery").first(failures).sqlState("40P01").build());
        try (Connection c = DriverManager.getConnection(url("resilient.retry.strategy=" + strategy
                + "&resilient.retry.baseDelay=" + baseMs + "ms&resilient.retry.maxAttempts=" + (failures + 1) + "&" + extra));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 7")) {
            rs.next();
            assertEquals(7, rs.getInt(1));
        }
        return gapsMs(p, "executeQuery");
    }

    @Test
    void exhaustedBudgetThrowsTheLastRealExceptionWithTheEarlierOnesSuppressed() throws Exception {
        FaultPlan p = FaultPlan.register(plan, 1, FaultRule.on("executeQuery").sqlState("40P01").build());
        try (Connection c = DriverManager.getConnection(url("resilient.retry.maxAttempts=4&resilient.retry.baseDelay=1ms"
                + "&resilient.retry.maxDelay=5ms")); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            List<SQLException> thrown = p.thrown();
            assertEquals(4, thrown.size());
            assertSame(thrown.get(3), e, "the last real exception");
            assertArrayEquals(thrown.subList(0, 3).toArray(), e.getSuppressed(), "the earlier ones, in order");
        }
    }

    @Test
    void maxDurationBoundsTheWholeRetry() throws Exception {
        FaultPlan.register(plan, 1, FaultRule.on("executeQuery").sqlState("40001").build());
        try (Connection c = DriverManager.getConnection(url("resilient.retry.maxAttempts=1000&resilient.retry.maxDuration=300ms"
                + "&resilient.retry.baseDelay=5ms&resilient.retry.maxDelay=50ms")); Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 250 && ms < 3000, "about 300 ms: " + ms);
        }
    }

    @Test
    void insideAnExplicitTransactionASerializationFailureReplaysTheTransaction() throws Exception {
        FaultPlan p = FaultPlan.register(plan, 1, FaultRule.on("executeQuery").nth(2).sqlState("40001").build());
        try (Connection c = DriverManager.getConnection(url("")); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT 2")) { // fails once, the transaction is replayed, then it runs
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
            c.commit();
            assertEquals(4, p.count("executeQuery"), "1, 2 (failed), 1 (replayed), 2");
        }
    }

    @Test
    void nothingIsRetriedInsideAnExplicitTransactionWithReplayOff() throws Exception {
        FaultPlan p = FaultPlan.register(plan, 1, FaultRule.on("executeQuery").nth(1).sqlState("40001").build());
        try (Connection c = DriverManager.getConnection(url("resilient.replay.maxBytes=0")); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertSame(p.thrown().get(0), e);
            assertEquals(1, p.count("executeQuery"));
        }
    }

    @Test
    void batchesAreNotRetried() throws Exception {
        FaultPlan p = FaultPlan.register(plan, 1, FaultRule.on("executeBatch").nth(1).sqlState("40001").build());
        try (Connection c = DriverManager.getConnection(url("")); Statement s = c.createStatement()) {
            s.addBatch("SELECT 1");
            SQLException e = assertThrows(SQLException.class, s::executeBatch);
            assertSame(p.thrown().get(0), e);
            assertEquals(1, p.count("executeBatch"));
        }
    }

    @Test
    void connectRetriesConnectionAndResourceFailuresButNotAuthentication() throws Exception {
        FaultPlan p = FaultPlan.register(plan, 1,
                // Rules count the calls that reach them: each fires on the first connect the rules before it let pass.
                FaultRule.on("connect").nth(1).sqlState("08001").build(),
                FaultRule.on("connect").nth(1).sqlState("53300").build(),
                FaultRule.on("connect").nth(1).sqlState("57P03").build());
        try (Connection c = DriverManager.getConnection(url("resilient.retry.baseDelay=1ms&resilient.retry.maxDelay=5ms"))) {
            assertTrue(c.isValid(1));
        }
        assertEquals(3, p.thrown().size());

        FaultPlan.unregister(plan);
        FaultPlan auth = FaultPlan.register(plan, 1, FaultRule.on("connect").sqlState("28P01").build());
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url("")));
        assertSame(auth.thrown().get(0), e);
        assertEquals(1, auth.thrown().size(), "authentication failure is not retried");
    }

    @Test
    void retriesAreCountedPerClass() throws Exception {
        FaultPlan.register(plan, 1, FaultRule.on("executeQuery").first(2).sqlState("55P03").build());
        long before = ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().retries(FailureClass.BUSY)).sum();
        try (Connection c = DriverManager.getConnection(url("resilient.retry.baseDelay=1ms&resilient.retry.maxDelay=5ms"));
             Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1").close();
        }
        long after = ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().retries(FailureClass.BUSY)).sum();
        assertEquals(2, after - before);
    }

    @Test
    void connectDelaysStopGrowingAtConnectMaxDelayWhileOverloadIsBackedOffInFull() throws Exception {
        String options = "resilient.retry.baseDelay=10ms&resilient.retry.maxDelay=1s&resilient.connect.maxDelay=40ms";
        // Refused six times: 10, 20, 40, 40, 40, 40 ms apart, never the 80 and 160 the strategy alone would give.
        FaultPlan refused = FaultPlan.register(plan, 1, FaultRule.on("connect").first(6).sqlState("08001").build());
        DriverManager.getConnection(url(options)).close();
        List<Long> gaps = gapsMs(refused, "connect");
        assertEquals(6, gaps.size(), gaps.toString());
        assertTrue(gaps.get(0) >= 10 && gaps.get(1) >= 20 && gaps.get(2) >= 40, "grows from baseDelay: " + gaps);
        for (int i = 3; i < gaps.size(); i++) {
            // Under 120 ms leaves room for a loaded machine while the uncapped 160 and 320 would still fail.
            assertTrue(gaps.get(i) >= 40 && gaps.get(i) < 120, "capped at 40 ms: " + gaps);
        }

        FaultPlan.unregister(plan);
        // Too many connections: the server is overloaded, and every attempt adds to it; the full backoff applies.
        FaultPlan overloaded = FaultPlan.register(plan, 1, FaultRule.on("connect").first(5).sqlState("53300").build());
        DriverManager.getConnection(url(options + "&resilient.breaker.enabled=false")).close();
        List<Long> slow = gapsMs(overloaded, "connect");
        assertEquals(5, slow.size(), slow.toString());
        assertTrue(slow.get(4) >= 160, "10, 20, 40, 80, 160 ms: " + slow);
    }
}
