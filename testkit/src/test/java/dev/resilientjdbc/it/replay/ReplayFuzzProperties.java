package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.it.replay.FuzzStep.ExecKind;
import dev.resilientjdbc.it.replay.FuzzStep.Setter;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential fault fuzzer for transaction replay (issue 13, item 3).
 *
 * <p>jqwik generates transaction programs on one connection (see {@link FuzzPrograms}): prepared
 * statements executed again and again with parameters bound anew, clearParameters, setNull, setObject
 * with and without a type, several statements and result sets open at once and read in part, by index
 * and by label, batches, generated keys, savepoints, Statement.execute with getMoreResults, SELECT FOR
 * UPDATE, commits, rollbacks and autocommit stretches. Each program runs twice on a freshly seeded schema:
 * <ol>
 *   <li>the oracle: the raw pgjdbc driver straight to the server, no faults; it records what every
 *       call returned (values, counts, rows read, the SQLState of any error) and the committed database
 *       before every call (read on a second connection);</li>
 *   <li>through {@code jdbc:resilient:} and the chaos proxy, with the program's faults injected just
 *       before the calls they are attached to: every backend terminated, a fast restart, a crash
 *       (kill -9) restart, the TCP path cut, or the reply to a COMMIT lost.</li>
 * </ol>
 *
 * <p>The property, and why it is sound. Call by call, the resilient run must return exactly what the
 * oracle's call returned, until the first call that instead fails with an error the contract allows
 * there: inside a transaction 40000 (transaction lost); on commit() or setAutoCommit(true) also 08007
 * (outcome unknown); in autocommit 08007 only, and never for a query (a read, or a locking read, runs again).
 * With the commit marker, 08007 is not allowed where the marker settles a lost reply: commit(),
 * setAutoCommit(true), and with exactly-once an autocommit write or batch (unless the application's own
 * socketTimeout fired). Nothing else may differ. The program is the only writer,
 * so a replay must never diverge: 40001 is not allowed (with {@code -Dfuzz.sequences}, table s takes
 * its ids from a sequence, which a replay cannot reproduce, and 40001 is allowed). At that first allowed
 * error the program stops (the application rolls back and gives up, as a real one would): everything
 * after it depends on an outcome the two runs no longer share. Its transaction then must not have
 * happened, so the final database must equal the oracle's committed database just before that call
 * (which, inside a transaction, is the database before the transaction began); after 08007 it may also
 * equal the oracle's database just after that call (the write or commit landed). A program that meets
 * no allowed error must end with exactly the oracle's final database.
 *
 * <p>Keys: table g's and (by default) table s's generated keys are columns computed from the row, the
 * same on every run, and compared exactly; with {@code -Dfuzz.sequences} s.id is not compared. Some
 * programs run with {@code preferQueryMode=simple} (both runs): in the extended protocol pgjdbc sends
 * COMMIT's text only on a connection's first commit, and the chaos proxy recognises a COMMIT by its text.
 *
 * <p>Faults must be real: each one is checked to have taken effect (no client backend left after a
 * terminate, no proxied connection left after a cut, a new postmaster after a restart or crash, the
 * COMMIT trigger struck when a COMMIT had to go out as text), a try in which a fault hit a live
 * connection must show a reconnect in the driver's own counters, and the property fails when, over ten
 * programs or more, no fault hit or no transaction was replayed.
 *
 * <p>CI (part of {@code mvn verify}; alone:
 * {@code mvn -B -pl testkit -am test -Dtest=ReplayFuzzProperties -Dsurefire.failIfNoSpecifiedTests=false})
 * runs {@value #CI_TRIES} programs, about 1.5 minutes on two cores. Soak: add
 * {@code -Dfuzz.tries=100000 -Dfuzz.minutes=30} (no new program starts after that time). {@code -Dfuzz.seed=N}
 * replays a seed; shrinking is full (a failure prints the smallest program found as Java),
 * {@code -Dfuzz.shrink=bounded} caps it at jqwik's 10 s. A summary line (programs, faults hit by kind,
 * reconnects, replays, allowed errors by SQLState) ends every run.
 */
class ReplayFuzzProperties {
    static final int CI_TRIES = 200;
    private static final String LOST_COMMIT_TRIGGER = "COMMIT";
    private static PgServer pg;
    private static ChaosProxy proxy;
    private static final Tally TALLY = new Tally();

    @BeforeContainer
    static void start() throws SQLException {
        // Crash restarts must not lose commits the server acknowledged: fsync and synchronous_commit on.
        pg = PgServer.builder().crashSafe(true).start();
        proxy = ChaosProxy.start(pg.host(), pg.port());
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            for (String sql : FuzzSql.SCHEMA) {
                s.execute(sql);
            }
        }
    }

    @AfterContainer
    static void stop() {
        proxy.close();
        pg.close();
    }

    @Provide
    Arbitrary<FuzzPlan> programs() {
        return FuzzPrograms.programs();
    }

    // No edge cases: jqwik would mix the last fault of every step's frequency list (CRASH) into most programs.
    @Property(tries = CI_TRIES, shrinking = ShrinkingMode.FULL, edgeCases = EdgeCasesMode.NONE)
    @AddLifecycleHook(Budget.class)
    void everyCallAnswersAsOnAHealthyDatabaseOrFailsAsTheContractAllows(@ForAll("programs") FuzzPlan program) throws Exception {
        if (Budget.expired()) {
            TALLY.skipped++;
            return;
        }
        Oracle oracle = runOracle(program);
        runResilient(program, oracle);
    }

    // ---------------------------------------------------------------- minimal programs the fuzzer found

    /**
     * Issue 15: the server is killed while a COMMIT is on its way (dropped, or executed and its reply
     * dropped), in simple protocol so that the COMMIT's text goes out; without and with the marker.
     */
    @Example
    void crashDuringCommitNeverLosesOrDuplicatesTheTransaction() throws Exception {
        for (FuzzFault f : new FuzzFault[]{FuzzFault.COMMIT_DROPPED_CRASH, FuzzFault.REPLY_LOST_CRASH}) {
            for (boolean marker : new boolean[]{false, true}) {
                check(new FuzzPlan(List.of(
                        new FuzzStep.Begin(FuzzFault.NONE),
                        new FuzzStep.Bind(FuzzFault.NONE, 1, 1, Setter.LONG, 0),
                        new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 1),
                        new FuzzStep.Exec(FuzzFault.NONE, 1, ExecKind.UPDATE),
                        new FuzzStep.Commit(f)), false, true, marker));
            }
        }
    }

    /** Re-bound after a replay: the statement ran with the replayed call's stale parameters (issue 13). */
    @Example
    void reboundStatementAfterAReplayRunsWithTheNewParameters() throws Exception {
        check(new FuzzPlan(List.of(
                new FuzzStep.Begin(FuzzFault.NONE),
                new FuzzStep.Bind(FuzzFault.NONE, 1, 1, Setter.LONG, 0),
                new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 1),
                new FuzzStep.Exec(FuzzFault.NONE, 1, ExecKind.UPDATE),
                new FuzzStep.Bind(FuzzFault.TERMINATE, 1, 2, Setter.LONG, 9),
                new FuzzStep.Exec(FuzzFault.NONE, 1, ExecKind.UPDATE),
                new FuzzStep.Commit(FuzzFault.NONE)), false, false, false));
    }

    /** setAutoCommit(true) commits the open transaction: after a lost connection it must replay it (or fail), not drop it. */
    @Example
    void switchingAutocommitOnAfterALostConnectionCommitsTheTransaction() throws Exception {
        check(new FuzzPlan(List.of(
                new FuzzStep.Begin(FuzzFault.NONE),
                new FuzzStep.Bind(FuzzFault.NONE, 6, 1, Setter.LONG, 1),
                new FuzzStep.Exec(FuzzFault.NONE, 6, ExecKind.UPDATE),
                new FuzzStep.AutoCommitOn(FuzzFault.TERMINATE)), false, false, false));
    }

    /** An autocommit batch on a connection whose backend was terminated: run again (never sent) or 08007, not 57P01. */
    @Example
    void autocommitBatchAfterATerminatedBackendIsRunAgainOrInDoubt() throws Exception {
        check(new FuzzPlan(List.of(
                new FuzzStep.Bind(FuzzFault.NONE, 1, 1, Setter.LONG, 0),
                new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 1),
                new FuzzStep.AddBatch(FuzzFault.TERMINATE, 1),
                new FuzzStep.ExecuteBatch(FuzzFault.NONE, 1)), false, false, false));
    }

    /** A batch added before the connection was lost is still pending after it: executeBatch runs it, not an empty one. */
    @Example
    void batchAddedBeforeALostConnectionIsExecutedAfterIt() throws Exception {
        check(new FuzzPlan(List.of(
                new FuzzStep.Begin(FuzzFault.NONE),
                new FuzzStep.Bind(FuzzFault.NONE, 6, 1, Setter.LONG, 1),
                new FuzzStep.AddBatch(FuzzFault.TERMINATE, 6),
                new FuzzStep.ExecuteBatch(FuzzFault.NONE, 6),
                new FuzzStep.Commit(FuzzFault.NONE)), false, false, false));
    }

    /** No fault at all: commit() of a transaction a failed statement aborted returns normally with pgjdbc (the server rolls back). */
    @Example
    void commitOfAnAbortedTransactionBehavesAsWithTheRealDriver() throws Exception {
        check(new FuzzPlan(List.of(
                new FuzzStep.Begin(FuzzFault.NONE),
                new FuzzStep.Bind(FuzzFault.NONE, 1, 1, Setter.LONG, 0),
                new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 1),
                new FuzzStep.Exec(FuzzFault.NONE, 1, ExecKind.UPDATE),
                new FuzzStep.Bind(FuzzFault.NONE, 8, 1, Setter.LONG, 1),
                new FuzzStep.Bind(FuzzFault.NONE, 8, 2, Setter.LONG, 0),
                new FuzzStep.Bind(FuzzFault.NONE, 8, 3, Setter.STRING, 0),
                new FuzzStep.Exec(FuzzFault.NONE, 8, ExecKind.UPDATE),
                new FuzzStep.Commit(FuzzFault.NONE)), false, false, false));
    }

    /** A transaction a failed statement aborted stays aborted through a replay: the next statement fails with 25P02. */
    @Example
    void replayOfAnAbortedTransactionLeavesItAborted() throws Exception {
        check(new FuzzPlan(List.of(
                new FuzzStep.Begin(FuzzFault.NONE),
                new FuzzStep.SetSavepoint(FuzzFault.NONE),
                new FuzzStep.Bind(FuzzFault.NONE, 8, 1, Setter.LONG, 1),
                new FuzzStep.Bind(FuzzFault.NONE, 8, 2, Setter.LONG, 0),
                new FuzzStep.Bind(FuzzFault.NONE, 8, 3, Setter.STRING, 0),
                new FuzzStep.Exec(FuzzFault.NONE, 8, ExecKind.UPDATE),
                new FuzzStep.ReleaseSavepoint(FuzzFault.NONE, -1),
                new FuzzStep.Bind(FuzzFault.NONE, 1, 1, Setter.LONG, 0),
                new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 1),
                new FuzzStep.Exec(FuzzFault.TERMINATE, 1, ExecKind.UPDATE),
                new FuzzStep.Commit(FuzzFault.NONE)), false, false, false));
    }

    /**
     * Found by CI: with exactly-once autocommit writes, {@code execute()} of a SELECT FOR UPDATE with a fetch size
     * ran in our own transaction through a cursor, which our COMMIT closed: the second next() got 34000.
     */
    @Example
    void autocommitQueryWithAFetchSizeReadsOnAfterItsOwnTransaction() throws Exception {
        check(new FuzzPlan(List.of(
                new FuzzStep.FetchSize(FuzzFault.NONE, 5, 1),
                new FuzzStep.Bind(FuzzFault.NONE, 5, 1, Setter.LONG, 1),
                new FuzzStep.Exec(FuzzFault.NONE, 5, ExecKind.EXECUTE),
                new FuzzStep.Read(FuzzFault.NONE, 5, 0),
                new FuzzStep.Read(FuzzFault.NONE, 5, 0)), true, false, false));
        check(new FuzzPlan(List.of(
                new FuzzStep.FetchSize(FuzzFault.NONE, 2, 1),
                new FuzzStep.Bind(FuzzFault.NONE, 2, 1, Setter.LONG, 0),
                new FuzzStep.Exec(FuzzFault.NONE, 2, ExecKind.EXECUTE),
                new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                new FuzzStep.Read(FuzzFault.TERMINATE, 2, 0)), true, false, false));
    }

    /**
     * A result set opened or read after a savepoint is read on after rolling back to it, across faults: the log's
     * trim at the rollback dropped those calls, and the replay diverged (40001) where nothing had changed.
     */
    @Example
    void resultSetOpenedAfterASavepointIsReadOnAfterRollingBackToIt() throws Exception {
        for (FuzzFault f : new FuzzFault[]{FuzzFault.TERMINATE, FuzzFault.CUT}) {
            for (int fetch : new int[]{0, 1}) {
                List<FuzzStep> steps = new ArrayList<>(List.of(new FuzzStep.Begin(FuzzFault.NONE)));
                if (fetch > 0) {
                    steps.add(new FuzzStep.FetchSize(FuzzFault.NONE, 2, fetch));
                }
                steps.addAll(List.of(
                        new FuzzStep.Bind(FuzzFault.NONE, 1, 1, Setter.LONG, 5),
                        new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 1),
                        new FuzzStep.Exec(FuzzFault.NONE, 1, ExecKind.UPDATE),
                        new FuzzStep.SetSavepoint(FuzzFault.NONE),
                        new FuzzStep.Bind(FuzzFault.NONE, 2, 1, Setter.LONG, 0),
                        new FuzzStep.Exec(FuzzFault.NONE, 2, ExecKind.QUERY),
                        new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                        new FuzzStep.RollbackToSavepoint(FuzzFault.NONE, 0),
                        new FuzzStep.Read(f, 2, 0),
                        new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                        new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 2),
                        new FuzzStep.Exec(f, 1, ExecKind.UPDATE),
                        new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                        new FuzzStep.Commit(FuzzFault.NONE)));
                check(new FuzzPlan(steps, false, false, false));
            }
            // Opened before the savepoint, read after it, then the rollback: the reads stay where they were.
            check(new FuzzPlan(List.of(
                    new FuzzStep.Begin(FuzzFault.NONE),
                    new FuzzStep.Bind(FuzzFault.NONE, 2, 1, Setter.LONG, 0),
                    new FuzzStep.Exec(FuzzFault.NONE, 2, ExecKind.QUERY),
                    new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                    new FuzzStep.SetSavepoint(FuzzFault.NONE),
                    new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                    new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                    new FuzzStep.RollbackToSavepoint(FuzzFault.NONE, 0),
                    new FuzzStep.Bind(FuzzFault.NONE, 1, 1, Setter.LONG, 5),
                    new FuzzStep.Bind(FuzzFault.NONE, 1, 2, Setter.LONG, 1),
                    new FuzzStep.Exec(f, 1, ExecKind.UPDATE),
                    new FuzzStep.Read(FuzzFault.NONE, 2, 0),
                    new FuzzStep.Commit(FuzzFault.NONE)), false, false, false));
        }
    }

    private static void check(FuzzPlan program) throws Exception {
        System.out.println("example:" + program);
        runResilient(program, runOracle(program));
    }

    // ---------------------------------------------------------------- the two runs

    /** What a call showed the application: its result as text, or the SQLState of its error (with the exception, for messages). */
    record Observed(String text, SQLException error) {
        String sqlState() {
            return error == null ? null : String.valueOf(error.getSQLState());
        }
    }

    record Oracle(List<String> answers, List<List<String>> committedBefore) {
    }

    private static Observed observe(FuzzSession s, FuzzPlan.Planned p) {
        try {
            return new Observed(p.step().run(s, p), null);
        } catch (SQLException e) {
            return new Observed("error " + e.getSQLState(), e);
        }
    }

    private static Oracle runOracle(FuzzPlan program) throws SQLException {
        reset();
        List<String> answers = new ArrayList<>();
        List<List<String>> committed = new ArrayList<>();
        try (Connection watcher = pg.connect();
             FuzzSession s = new FuzzSession(DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres" + protocol(program)))) {
            s.prepare(program);
            for (FuzzPlan.Planned p : program.live) {
                committed.add(snapshot(watcher));
                answers.add(observe(s, p).text());
            }
            committed.add(snapshot(watcher));
        }
        return new Oracle(answers, committed);
    }

    private static String resilientUrl(FuzzPlan program) {
        return "jdbc:resilient:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + pg.database()
                + "?user=postgres&connectTimeout=5&loginTimeout=10&socketTimeout=2&resilient.connect.maxDuration=30s"
                + (program.exactlyOnce ? "&resilient.autocommit.exactlyOnce=true" : "")
                + (program.evidence ? "&resilient.indoubt.marker=" + program.marker : "&resilient.indoubt.evidence=false")
                + protocol(program);
    }

    private static String protocol(FuzzPlan program) {
        return program.simpleProtocol ? "&preferQueryMode=simple" : "";
    }

    private static void runResilient(FuzzPlan program, Oracle oracle) throws Exception {
        reset();
        long reconnectsBefore = stat(RetryStats::reconnects);
        long replaysBefore = stat(RetryStats::replays);
        int hits = 0;
        FuzzPlan.Planned stoppedAt = null;
        String stopState = null;
        boolean serverTransaction = false; // the healthy run began a transaction on the server: commit() sends COMMIT
        try (FuzzSession s = new FuzzSession(DriverManager.getConnection(resilientUrl(program)))) {
            s.prepare(program);
            for (FuzzPlan.Planned p : program.live) {
                // A connection an earlier fault killed (and nothing has used since) sends its COMMIT nowhere.
                boolean connectedAtArm = proxy.openConnections() > 0;
                StrikeOnCommit crash = StrikeOnCommit.of(p.step().fault());
                boolean hit = inject(p);
                Observed got = observe(s, p);
                if (crash != null) {
                    hit = crash.finish();
                    // pgjdbc sends no COMMIT for a transaction that never began on the server, and in the extended
                    // protocol sends COMMIT's text only on a connection's first commit: no trigger to strike then.
                    boolean mustHit = serverTransaction && program.simpleProtocol && connectedAtArm;
                    assertTrue(hit || !mustHit, () -> "no COMMIT went out, its reply could not be lost, at call " + p.index() + program);
                }
                if (hit) {
                    hits++;
                    TALLY.faults.merge(p.step().fault(), 1, Integer::sum);
                }
                String want = oracle.answers().get(p.index());
                serverTransaction = p.inTransaction() && !endsTransaction(p.step())
                        && (serverTransaction || sentWork(p.step()) && !want.startsWith("error") && !want.equals("counts []"));
                if (got.text().equals(want)) {
                    continue;
                }
                if (allowed(got, p, program)) {
                    stoppedAt = p;
                    stopState = got.sqlState();
                    TALLY.allowed.merge(stopState, 1, Integer::sum);
                    break;
                }
                AssertionError e = new AssertionError("call " + p.index() + " `" + p.step().java(p) + "`: the healthy run saw <"
                        + want + ">, the resilient run saw <" + got.text() + ">" + (got.error() == null ? "" : " (" + got.error() + ")"));
                if (got.error() != null) {
                    e.initCause(got.error());
                }
                throw e;
            }
            // The application cleans up as it would: roll back what is open, autocommit on, one more query (which
            // also makes a connection killed by a last fault reconnect, so that the fault shows in the counters).
            if (!s.conn.getAutoCommit()) {
                s.conn.rollback();
            }
            s.conn.setAutoCommit(true);
            try (Statement st = s.conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
        List<String> actual;
        try (Connection c = pg.connect()) {
            actual = snapshot(c);
        }
        if (stoppedAt == null) {
            assertEquals(String.join("\n", oracle.committedBefore().get(program.live.size())), String.join("\n", actual),
                    "the final database differs from the healthy run's");
        } else {
            List<String> before = oracle.committedBefore().get(stoppedAt.index());
            List<String> after = oracle.committedBefore().get(stoppedAt.index() + 1);
            boolean unknown = "08007".equals(stopState);
            boolean ok = actual.equals(before) || unknown && actual.equals(after);
            String where = "after " + stopState + " at call " + stoppedAt.index() + " `" + stoppedAt.step().java(stoppedAt) + "`";
            assertTrue(ok, () -> "the database " + where + " is neither the healthy run's before that call"
                    + (unknown ? " nor after it" : "") + ":\nactual:\n" + String.join("\n", actual)
                    + "\nbefore:\n" + String.join("\n", before));
        }
        long reconnects = stat(RetryStats::reconnects) - reconnectsBefore;
        if (hits > 0) {
            assertTrue(reconnects > 0, hits + " faults hit the connection but the driver counted no reconnect");
        }
        TALLY.programs++;
        TALLY.calls += program.live.size();
        TALLY.reconnects += reconnects;
        TALLY.replays += stat(RetryStats::replays) - replaysBefore;
    }

    private static boolean endsTransaction(FuzzStep step) {
        return step instanceof FuzzStep.Commit || step instanceof FuzzStep.Rollback || step instanceof FuzzStep.AutoCommitOn;
    }

    private static boolean sentWork(FuzzStep step) {
        return step instanceof FuzzStep.Exec || step instanceof FuzzStep.ExecuteBatch || step instanceof FuzzStep.StQuery
                || step instanceof FuzzStep.StUpdate || step instanceof FuzzStep.StExecute || step instanceof FuzzStep.StExecuteBatch
                || step instanceof FuzzStep.SetSavepoint;
    }

    /** Errors the contract lets reach the application at this call (docs/RECOVERY.md, "What resilient-jdbc guarantees"). */
    private static boolean allowed(Observed got, FuzzPlan.Planned p, FuzzPlan program) {
        String state = got.sqlState();
        if (state == null || neverUnknown(program, p, got.error())) {
            return false;
        }
        FuzzStep step = p.step();
        if (step instanceof FuzzStep.Rollback) {
            return false; // the database rolled back with the connection: rollback() always succeeds
        }
        boolean ends = step instanceof FuzzStep.Commit || step instanceof FuzzStep.AutoCommitOn;
        if (p.inTransaction()) {
            // No other writer: a replay diverges only over a value it cannot reproduce (a sequence, -Dfuzz.sequences).
            return "40001".equals(state) && FuzzSql.SEQUENCES || "40000".equals(state) || ends && "08007".equals(state);
        }
        return "08007".equals(state);
    }

    /**
     * Where 08007 is not allowed though the call is one that may answer it: an autocommit query (a read, or a locking
     * read whose locks ended with it) runs again; and with the commit marker a lost COMMIT reply is settled (issue
     * 22): commit(), setAutoCommit(true), and with exactly-once an autocommit write or batch. Only the application's
     * own limit (socketTimeout) may still leave the outcome unknown.
     */
    private static boolean neverUnknown(FuzzPlan program, FuzzPlan.Planned p, Throwable error) {
        if (!(error instanceof SQLException e) || !"08007".equals(e.getSQLState())) {
            return false;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) {
                return false;
            }
        }
        FuzzStep step = p.step();
        boolean query = step instanceof FuzzStep.Exec ex && ex.kind() == FuzzStep.ExecKind.QUERY || step instanceof FuzzStep.StQuery;
        if (!p.inTransaction() && query) {
            return true;
        }
        if (!program.marker) {
            return false;
        }
        if (p.inTransaction()) {
            return step instanceof FuzzStep.Commit || step instanceof FuzzStep.AutoCommitOn;
        }
        boolean write = step instanceof FuzzStep.Exec ex && ex.kind() != FuzzStep.ExecKind.QUERY
                || step instanceof FuzzStep.StUpdate || step instanceof FuzzStep.StExecute
                || step instanceof FuzzStep.ExecuteBatch || step instanceof FuzzStep.StExecuteBatch;
        return program.exactlyOnce && write;
    }

    // ---------------------------------------------------------------- faults

    /** Injects the call's fault; checks it took effect where there was something to hit; true when it hit. */
    private static boolean inject(FuzzPlan.Planned p) {
        switch (p.step().fault()) {
            case NONE:
                return false;
            case TERMINATE: {
                // A backend whose client was cut may be exiting on its own already: the check is that none is left.
                int n = pg.terminateAllClientBackends();
                assertEquals(List.of(), pg.clientBackendPids(), "every client backend terminated");
                return n > 0;
            }
            case CUT: {
                int before = proxy.openConnections();
                proxy.cutAll();
                assertEquals(0, proxy.openConnections(), "every proxied connection is cut");
                return before > 0;
            }
            case RESTART:
            case CRASH: {
                int before = pg.clientBackendCount();
                long pid = pg.postmasterPid();
                if (p.step().fault() == FuzzFault.RESTART) {
                    pg.restart();
                } else {
                    pg.crashRestart();
                }
                assertNotEquals(pid, pg.postmasterPid(), "a new postmaster");
                return before > 0;
            }
            default: // LOST_COMMIT, COMMIT_DROPPED_CRASH, REPLY_LOST_CRASH: armed by StrikeOnCommit, judged after the call
                return false;
        }
    }

    /**
     * A fault in the middle of COMMIT: the COMMIT (or its reply) is dropped by the proxy, and as soon as
     * the COMMIT has gone out a watcher thread strikes while the call waits for its reply: it cuts the
     * TCP path (LOST_COMMIT: the server committed, the client never hears) or kills the server (kill -9)
     * and starts it with crash recovery. The application's socketTimeout never has to fire: that would be
     * its own limit, answered 08007 at once. After the call, {@link #finish} says whether it hit.
     */
    private static final class StrikeOnCommit {
        private final FuzzFault fault;
        private final boolean replyLost;
        private final Thread watcher;
        private volatile boolean stop;
        private volatile boolean struck;
        private volatile RuntimeException failure;

        private StrikeOnCommit(FuzzFault fault) {
            this.fault = fault;
            this.replyLost = fault != FuzzFault.COMMIT_DROPPED_CRASH;
            if (replyLost) {
                proxy.dropRepliesOnceAfterClientSends(LOST_COMMIT_TRIGGER);
            } else {
                proxy.dropRequestsOnceContaining(LOST_COMMIT_TRIGGER);
            }
            watcher = new Thread(this::watch, "fuzz-strike-on-commit");
            watcher.setDaemon(true);
            watcher.start();
        }

        static StrikeOnCommit of(FuzzFault f) {
            return f.atCommitOnly() ? new StrikeOnCommit(f) : null;
        }

        private boolean armed() {
            return replyLost ? proxy.dropTriggerArmed() : proxy.dropRequestTriggerArmed();
        }

        private void watch() {
            try {
                while (armed()) {
                    if (stop) {
                        return;
                    }
                    Thread.sleep(1);
                }
                if (stop) {
                    return;
                }
                if (replyLost) {
                    Thread.sleep(20); // the server commits (or not) while the reply is being dropped
                }
                if (fault == FuzzFault.LOST_COMMIT) {
                    proxy.cutAll();
                } else {
                    long pid = pg.postmasterPid();
                    pg.crashRestart();
                    assertNotEquals(pid, pg.postmasterPid(), "a new postmaster");
                }
                struck = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | AssertionError e) {
                failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }

        /** After the call: stops the watcher, disarms the proxy; true when the fault struck during the COMMIT. */
        boolean finish() throws InterruptedException {
            stop = true;
            proxy.dropRepliesAfterClientSends(null);
            proxy.reset();
            watcher.join(60_000);
            if (failure != null) {
                throw failure;
            }
            return struck;
        }
    }

    private static long stat(ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    // ---------------------------------------------------------------- database

    /** Same seed for both runs, on a direct connection (never through the proxy); waits until no client backend is left. */
    private static void reset() throws SQLException {
        pg.ensureRunning();
        proxy.reset();
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute(FuzzSql.RESET);
            s.execute(FuzzSql.SEED);
        }
        // Sessions of the previous run exit a moment after their client closed: the fault checks count backends.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pg.clientBackendCount() > 0) {
            assertTrue(System.nanoTime() < deadline, "client backends left over: " + pg.clientBackendPids());
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    private static List<String> snapshot(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(FuzzSql.SNAPSHOT)) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "(" + rs.getLong(2) + ", " + rs.getLong(3) + ", " + rs.getString(4) + ")");
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------- budget and summary

    /** Counts for the summary line. */
    static final class Tally {
        int programs;
        int skipped;
        long calls;
        long reconnects;
        long replays;
        final Map<FuzzFault, Integer> faults = new EnumMap<>(FuzzFault.class);
        final Map<String, Integer> allowed = new TreeMap<>();

        int faultsHit() {
            return faults.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public String toString() {
            return "replay fuzz: " + programs + " programs (" + calls + " calls), " + skipped + " skipped after the time budget, "
                    + faultsHit() + " faults hit " + faults + ", " + reconnects + " reconnects, " + replays + " replays, allowed errors "
                    + allowed;
        }
    }

    /**
     * Tries, seed and shrinking from -Dfuzz.tries / -Dfuzz.seed / -Dfuzz.shrink=bounded, a time budget from
     * -Dfuzz.minutes, and the summary at the end; a run in which no fault ever hit fails.
     */
    static final class Budget implements AroundPropertyHook {
        private static volatile long deadline = Long.MAX_VALUE;

        static boolean expired() {
            return System.nanoTime() > deadline;
        }

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            Integer tries = Integer.getInteger("fuzz.tries");
            if (tries != null) {
                context.attributes().setTries(tries);
            }
            String seed = System.getProperty("fuzz.seed");
            if (seed != null && !seed.isBlank()) {
                context.attributes().setSeed(seed);
            }
            if ("bounded".equalsIgnoreCase(System.getProperty("fuzz.shrink"))) {
                context.attributes().setShrinking(ShrinkingMode.BOUNDED);
            }
            String minutes = System.getProperty("fuzz.minutes");
            if (minutes != null && !minutes.isBlank()) {
                deadline = System.nanoTime() + Duration.ofSeconds((long) (Double.parseDouble(minutes) * 60)).toNanos();
            }
            long t0 = System.nanoTime();
            PropertyExecutionResult result = property.execute();
            System.out.println(TALLY + " in " + Duration.ofNanos(System.nanoTime() - t0).toSeconds() + " s, seed "
                    + result.seed().orElse("?"));
            if (result.status() == PropertyExecutionResult.Status.SUCCESSFUL && TALLY.programs >= 10
                    && (TALLY.faultsHit() == 0 || TALLY.replays == 0)) {
                return result.mapToFailed("the faults did nothing: " + TALLY);
            }
            return result;
        }
    }
}
