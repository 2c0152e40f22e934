package dev.resilientjdbc.it.ledger;



import dev.resilientjdbc.demo.ledger.Failure;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.demo.ledger.Transfer;
import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerChecker.Kind;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ledger workload and checker on a real PostgreSQL 17 through the raw driver: a clean run
 * passes, planted lost/phantom/failed-but-committed writes and tampered balances are caught, and
 * killing every client backend mid-run costs the app failures but never an acknowledged commit.
 */
@PgTest
// Deadlocks are detected after deadlock_timeout; 1 s by default would make the deadlock run slow.
@PgSettings(settings = "deadlock_timeout=50ms")
class LedgerPostgresTest {

    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @AfterEach
    void noThreadsLeft() {
        LedgerThreads.assertNoneAlive();
    }

    private static String url() {
        return pg.jdbcUrl() + "?user=postgres&connectTimeout=5&socketTimeout=30";
    }

    private static LedgerWorkload.Builder workload() {
        return LedgerWorkload.builder(url()).accounts(10).clients(4).readShare(0.2).seed(42);
    }

    private static LedgerChecker.Report check(LedgerWorkload.Result result) throws SQLException {
        try (Connection c = pg.connect()) {
            return LedgerChecker.check(c, result);
        }
    }

    @Test
    void cleanRunPassesTheChecker() throws Exception {
        LedgerWorkload.Result result = workload().duration(Duration.ofSeconds(3)).build().run();
        System.out.println(result);
        LedgerChecker.Report report = check(result);
        System.out.println(report);

        assertTrue(result.committed() > 100, result::toString);
        assertEquals(0, result.failed(), result::toString);
        assertEquals(0, result.readsFailed(), result::toString);
        assertTrue(result.readsOk() > 0, result::toString);
        assertEquals(0, result.inconsistentReads(), result::toString);
        assertEquals(0, result.reopens());
        assertEquals(java.util.List.of(), result.hungThreads());
        assertTrue(result.elapsed().compareTo(Duration.ofSeconds(3)) >= 0 && result.elapsed().compareTo(Duration.ofSeconds(6)) < 0,
                "run bounded by its duration: " + result.elapsed());
        assertTrue(report.ok(), report::toString);
        assertEquals(result.committed(), report.journalRows());
    }

    @Test
    void operationCountEndsTheRun() throws Exception {
        LedgerWorkload.Result result = workload().operations(200).duration(Duration.ofSeconds(30)).build().run();
        assertEquals(200, result.committed() + result.declined().size() + result.failed() + result.readsOk() + result.readsFailed());
        assertTrue(result.elapsed().compareTo(Duration.ofSeconds(20)) < 0, result::toString);
        assertTrue(check(result).ok());
    }

    @Test
    void checkerReportsALostAcknowledgedCommitAndAPhantomRow() throws Exception {
        LedgerWorkload.Result result = workload().operations(300).build().run();
        String lost = result.acknowledged().keySet().iterator().next();
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM ledger_journal WHERE transfer_id = '" + lost + "'");
            st.executeUpdate("INSERT INTO ledger_journal (transfer_id, from_id, to_id, amount) VALUES ('phantom', 1, 2, 0)");
        }
        LedgerChecker.Report report = check(result);
        System.out.println(report);

        assertFalse(report.ok());
        assertEquals(1, report.violations(Kind.ACKNOWLEDGED_MISSING).size(), report::toString);
        assertTrue(report.violations(Kind.ACKNOWLEDGED_MISSING).get(0).detail().contains(lost));
        assertEquals(1, report.violations(Kind.UNKNOWN_TRANSFER).size(), report::toString);
        // The two accounts of the deleted transfer no longer match the journal; the total still does.
        assertEquals(2, report.violations(Kind.BALANCE_MISMATCH).size(), report::toString);
        assertTrue(report.violations(Kind.TOTAL_CHANGED).isEmpty());
    }

    @Test
    void checkerReportsTamperedBalances() throws Exception {
        LedgerWorkload.Result result = workload().operations(300).build().run();
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE ledger_accounts SET balance = balance + 7 WHERE id = 1");
        }
        LedgerChecker.Report created = check(result);
        assertEquals(1, created.violations(Kind.TOTAL_CHANGED).size(), created::toString);
        assertEquals(1, created.violations(Kind.BALANCE_MISMATCH).size(), created::toString);

        // Money moved without a journal row: the total holds, the per-account rule does not.
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE ledger_accounts SET balance = balance - 7 WHERE id = 1");
            st.executeUpdate("UPDATE ledger_accounts SET balance = balance - 5 WHERE id = 2");
            st.executeUpdate("UPDATE ledger_accounts SET balance = balance + 5 WHERE id = 3");
        }
        LedgerChecker.Report moved = check(result);
        System.out.println(moved);
        assertTrue(moved.violations(Kind.TOTAL_CHANGED).isEmpty(), moved::toString);
        assertEquals(2, moved.violations(Kind.BALANCE_MISMATCH).size(), moved::toString);
        assertEquals(2, moved.violations().size(), moved::toString);
    }

    @Test
    void deadlockProneRunFailsDefinitelyAndCheckerCatchesAFailedTransferThatCommitted() throws Exception {
        // Two accounts locked in transfer direction: opposite transfers deadlock, PostgreSQL aborts one of them.
        LedgerWorkload.Result result = workload().accounts(2).clients(4).readShare(0).deadlockProne(true)
                .duration(Duration.ofSeconds(2)).build().run();
        System.out.println(result);
        assertTrue(result.failuresBySqlState().getOrDefault("40P01", 0L) > 0, result::toString);
        assertTrue(result.committed() > 0, result::toString);
        LedgerChecker.Report clean = check(result);
        assertTrue(clean.ok(), clean::toString);

        // Plant the failed transfer as if it had committed after all, balances included, so only that rule breaks.
        Failure failed = result.failures().values().iterator().next();
        Transfer t = failed.transfer();
        try (Connection c = pg.connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_journal (transfer_id, from_id, to_id, amount) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, t.id());
                ps.setInt(2, t.fromId());
                ps.setInt(3, t.toId());
                ps.setLong(4, t.amount());
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE ledger_accounts SET balance = balance - " + t.amount() + " WHERE id = " + t.fromId());
                st.executeUpdate("UPDATE ledger_accounts SET balance = balance + " + t.amount() + " WHERE id = " + t.toId());
            }
        }
        LedgerChecker.Report report = check(result);
        System.out.println(report);
        assertEquals(1, report.violations().size(), report::toString);
        assertEquals(Kind.FAILED_BUT_PRESENT, report.violations().get(0).kind());
        assertTrue(report.violations().get(0).detail().contains(t.id()));
    }

    @Test
    void duplicatesCannotBePlantedBecauseTheJournalKeyForbidsThem() throws Exception {
        LedgerWorkload.Result result = workload().operations(50).build().run();
        Transfer t = result.acknowledged().values().iterator().next();
        try (Connection c = pg.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_journal (transfer_id, from_id, to_id, amount) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, t.id());
            ps.setInt(2, t.fromId());
            ps.setInt(3, t.toId());
            ps.setLong(4, t.amount());
            SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
            assertEquals("23505", e.getSQLState());
        }
        // So a double-applied transfer shows as a failed insert (and a rolled-back transfer), never as two rows.
        assertTrue(check(result).ok());
    }

    @Test
    void terminatingEveryBackendMidRunCostsFailuresButNoAcknowledgedCommit() throws Exception {
        // Long enough never to end on its own before the test saw its progress (a loaded machine is slow); stopped below.
        LedgerWorkload workload = workload().duration(Duration.ofSeconds(60)).build();
        LedgerWorkload.Result result;
        int terminated = 0;
        try (LedgerRun run = workload.start()) {
            LongSupplier failedSoFar = () -> run.failedSoFar() + run.readsFailedSoFar();
            for (int round = 0; round < 2; round++) {
                long before = run.committedSoFar();
                awaitAtLeast(run::committedSoFar, before + 50, Duration.ofSeconds(10));
                long failedBefore = failedSoFar.getAsLong();
                terminated += pg.terminateAllClientBackends();
                // Every round costs the raw driver's app at least one failure: proof this round's fault hit.
                awaitAtLeast(failedSoFar, failedBefore + 1, Duration.ofSeconds(10));
            }
            long after = run.committedSoFar();
            awaitAtLeast(run::committedSoFar, after + 50, Duration.ofSeconds(10)); // the app recovered by reopening
            run.stop();
            result = run.awaitResult();
        }
        System.out.println("terminated " + terminated + " backends\n" + result);
        LedgerChecker.Report report = check(result);
        System.out.println(report);

        assertTrue(terminated >= 4, "terminated " + terminated);
        assertTrue(result.failed() + result.readsFailed() > 0, result::toString);
        Set<String> states = result.failuresBySqlState().keySet().stream().collect(Collectors.toSet());
        assertTrue(states.stream().allMatch(s -> s.startsWith("08") || s.startsWith("57P")), "only connection failures: " + states);
        assertTrue(result.reopens() > 0, result::toString);
        assertEquals(java.util.List.of(), result.hungThreads());
        assertTrue(report.ok(), report::toString);
        assertTrue(report.violations(Kind.ACKNOWLEDGED_MISSING).isEmpty());
    }

    @Test
    void clientsBlockedPastTheEndAreAbortedAndTheCallerIsNotHeld() throws Exception {
        LedgerWorkload workload = workload().accounts(2).clients(2).readShare(0)
                .duration(Duration.ofMillis(500)).stopGrace(Duration.ofMillis(500)).build();
        LedgerWorkload.Result result;
        try (Connection blocker = pg.connect()) {
            LedgerRun run = workload.start();
            // Every transfer needs account 1; hold its row lock so the clients wait with no lock timeout.
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.executeQuery("SELECT balance FROM ledger_accounts WHERE id = 1 FOR UPDATE").close();
            }
            long begin = System.nanoTime();
            result = run.awaitResult();
            Duration waited = Duration.ofNanos(System.nanoTime() - begin);
            run.close();
            blocker.rollback();
            System.out.println(result);
            assertTrue(waited.compareTo(Duration.ofSeconds(5)) < 0, "caller held for " + waited);
        }
        // Connection.abort ended the blocked calls, so nothing is reported hung and the aborted transfers failed.
        assertEquals(java.util.List.of(), result.hungThreads(), result::toString);
        assertTrue(result.failed() > 0, result::toString);
        LedgerChecker.Report report = check(result);
        assertTrue(report.ok(), report::toString);
    }

    @Test
    void interruptingTheWaitingCallerStopsTheClients() throws Exception {
        LedgerWorkload workload = workload().accounts(2).clients(2).readShare(0)
                .duration(Duration.ofSeconds(60)).stopGrace(Duration.ofSeconds(60)).build();
        try (Connection blocker = pg.connect()) {
            blocker.setAutoCommit(false);
            try (LedgerRun run = workload.start()) {
                try (Statement st = blocker.createStatement()) {
                    st.executeQuery("SELECT balance FROM ledger_accounts WHERE id = 1 FOR UPDATE").close();
                }
                awaitAtLeast(LedgerPostgresTest::backendsWaitingForLocks, 2, Duration.ofSeconds(5));
                java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
                Thread caller = new Thread(() -> {
                    try {
                        run.awaitResult();
                    } catch (Throwable t) {
                        outcome.set(t);
                    }
                }, "ledger-test-caller");
                caller.start();
                awaitAtLeast(() -> caller.getState() == Thread.State.TIMED_WAITING ? 1 : 0, 1, Duration.ofSeconds(5));
                long begin = System.nanoTime();
                caller.interrupt();
                caller.join(10_000);
                assertFalse(caller.isAlive(), "caller still waiting");
                assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
                assertTrue(Duration.ofNanos(System.nanoTime() - begin).compareTo(Duration.ofSeconds(5)) < 0);
            }
            blocker.rollback();
        }
    }

    /**
     * Through {@code jdbc:resilient:} the app keeps its connections (no reopen) and a COMMIT cut off
     * by the termination surfaces as {@code 08007}, never as a plain connection error; checked
     * strictly ({@link LedgerChecker.CommitFailures#DEFINITE}). Transactions cut in the middle are
     * replayed: the only failures allowed to reach the app are replay divergence ({@code 40001}) and
     * unknown outcome ({@code 08007}).
     */
    @Test
    void throughTheResilientDriverConnectionsSurviveAndLostCommitsAreReportedUnknown() throws Exception {
        String resilient = url().replace("jdbc:", "jdbc:resilient:") + "&resilient.connect.maxDuration=20s";
        LedgerWorkload workload = LedgerWorkload.builder(resilient).accounts(10).clients(4).readShare(0.2).seed(42)
                .duration(Duration.ofSeconds(60)).build(); // stopped once the test saw its progress, below
        LedgerWorkload.Result result;
        int terminated = 0;
        try (LedgerRun run = workload.start()) {
            for (int round = 0; round < 2; round++) {
                long before = run.committedSoFar();
                awaitAtLeast(run::committedSoFar, before + 50, Duration.ofSeconds(10));
                terminated += pg.terminateAllClientBackends();
            }
            long after = run.committedSoFar();
            awaitAtLeast(run::committedSoFar, after + 50, Duration.ofSeconds(10));
            run.stop();
            result = run.awaitResult();
        }
        System.out.println("resilient: terminated " + terminated + " backends\n" + result);
        result.failures().values().forEach(f -> System.out.println("  failure: " + f));
        LedgerChecker.Report report = check(result);
        System.out.println(report);

        assertTrue(terminated >= 4, "terminated " + terminated);
        assertEquals(0, result.reopens(), "the logical connections survived: " + result);
        assertEquals(0, result.connectionLostAtCommitIds().size(), result::toString);
        assertEquals(0, result.readsFailed(), "autocommit reads are retried: " + result);
        for (String state : result.failuresBySqlState().keySet()) {
            assertTrue("40001".equals(state) || "08007".equals(state), "only divergence or unknown outcome: " + result);
        }
        assertTrue(report.ok(), report::toString);
    }

    private static long backendsWaitingForLocks() {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitAtLeast(LongSupplier value, long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (value.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("value stayed at " + value.getAsLong() + ", wanted " + target);
            }
            Thread.sleep(5);
        }
    }
}
