package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.retry.RerunRules;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import dev.resilientjdbc.testkit.pg.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A COMMIT whose reply is lost, on a real crash-safe PostgreSQL 17, through every way the session can
 * end: only its backend terminated, a fast restart (clean shutdown), and kill -9 of the whole server
 * with crash recovery. The COMMIT either never reaches the server (the chaos proxy drops it) or is made
 * durable and only its reply is dropped. The oracle is the database: the row is there exactly once
 * whenever the application was told success, and a restart never lets another transaction that was
 * given the same id answer for ours.
 */
@PgTest
@PgSettings(crashSafe = true)
@org.junit.jupiter.api.Timeout(180)
class PostgresLostCommitTest {
    private static PgServer pg;
    private static ChaosProxy proxy;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lost-commit-client");
        t.setDaemon(true);
        return t;
    });

    enum Lost { COMMIT, REPLY }

    enum Fault { TERMINATE, FAST_RESTART, CRASH }

    /**
     * INLINE: an exactly-once autocommit write once the connection's marker row is there, sent with its marker
     * write in one exchange (no COMMIT text: the proxy recognises the exchange by a word of the inline text).
     * BATCH: an exactly-once autocommit batch of two inserts, in a transaction of its own. RETURNING_QUERY: an
     * exactly-once {@code executeQuery} of {@code INSERT ... RETURNING}, in a transaction of its own.
     */
    enum Mode { EXPLICIT, EXACTLY_ONCE_AUTOCOMMIT, INLINE, BATCH, RETURNING_QUERY }

    private static final String INLINE_WORD = "resilient_applied";

    @BeforeAll
    static void start(PgServer server, ChaosProxy chaos) {
        pg = server;
        proxy = chaos;
    }

    @BeforeEach
    void clean() throws SQLException {
        proxy.reset();
        pg.ensureRunning();
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS lost_t");
            s.execute("CREATE TABLE lost_t(k text PRIMARY KEY)");
            s.execute("DROP TABLE IF EXISTS reuse_t");
            s.execute("CREATE TABLE reuse_t(xid text)");
        }
    }

    @AfterEach
    void shutdown() {
        proxy.reset();
        pool.shutdownNow();
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            for (Lost lost : Lost.values()) {
                for (Fault fault : Fault.values()) {
                    for (boolean marker : new boolean[]{false, true}) {
                        if (mode == Mode.INLINE && !marker) {
                            continue; // without the marker there is no inline write: EXACTLY_ONCE_AUTOCOMMIT's case
                        }
                        all.add(Arguments.of(mode, lost, fault, marker));
                    }
                }
            }
        }
        return all.stream();
    }

    /**
     * Success exactly when it can be proven: always when the COMMIT never arrived (the transaction is
     * run again); when it was made durable, success on the same server run, and across a restart only
     * with the commit marker — without it the answer is 08007, never a guess.
     */
    @ParameterizedTest(name = "{0}, lost {1}, {2}, marker={3}")
    @MethodSource("cases")
    void lostCommitIsResolvedOnlyByProof(Mode mode, Lost lost, Fault fault, boolean marker) throws Exception {
        // Lower case: the proxy recognises the COMMIT by its upper-case text, which no key may contain.
        String key = (mode + "-" + lost + "-" + fault + "-" + marker).toLowerCase(java.util.Locale.ROOT);
        long evidenceBefore = evidence(marker, lost, fault);
        Outcome o = run(key, mode, lost, fault, marker, false);
        boolean provable = lost == Lost.COMMIT || fault == Fault.TERMINATE || marker;
        if (provable) {
            assertNull(o.failure, () -> "resolved outcome expected, got " + o.failure);
        } else {
            assertTrue(o.failure != null && "08007".equals(o.failure.getSQLState()),
                    () -> "a durable COMMIT across a restart without a marker cannot be attributed: 08007 expected, got " + o.failure);
        }
        assertEquals(1, rows(key), "the transaction is in the database exactly once");
        if (o.failure == null && mode == Mode.BATCH) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{1, 1}, (int[]) o.count, "executeBatch answers its counts");
            assertEquals(1, rows(key + "-also"), "the whole batch is in the database exactly once");
        } else if (o.failure == null && mode == Mode.RETURNING_QUERY) {
            assertEquals(key, o.count, "executeQuery answers the row the write returned");
        } else if (o.failure == null && mode != Mode.EXPLICIT) {
            assertEquals(1, o.count, "executeUpdate answers the count of the write that committed once");
        }
        assertTrue(evidence(marker, lost, fault) > evidenceBefore, "the lost COMMIT went through in-doubt resolution");
    }

    /**
     * A connection whose backend was ended while it sat idle (or whose TCP path was cut): the next exactly-once
     * autocommit write finds out only when it sends. Sent inline, it may have reached the server; the marker row and
     * the old session proven gone settle it as not committed, and it runs again: success, applied once, no 08007.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"terminate", "cut"})
    void anInlineWriteOnAConnectionKilledWhileIdleRunsOnce(String how) throws Exception {
        String key = "idle-killed-" + how;
        long evidenceBefore = evidence(true, Lost.REPLY, Fault.TERMINATE);
        try (Connection c = DriverManager.getConnection(resilient(true));
             java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO lost_t VALUES (?)")) {
            ps.setString(1, key + "-first");
            assertEquals(1, ps.executeUpdate()); // writes the connection's marker row: the next write goes inline
            int pid;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            if (how.equals("terminate")) {
                assertTrue(pg.terminateBackend(pid), "the backend was terminated");
            } else {
                proxy.cutAll();
            }
            ps.setString(1, key);
            assertEquals(1, ps.executeUpdate(), "the write ran once, on a new connection");
        }
        assertEquals(1, rows(key));
        assertTrue(evidence(true, Lost.REPLY, Fault.TERMINATE) > evidenceBefore, "the write went through in-doubt resolution");
    }

    /**
     * The inline write is the first thing a connection sends (its slot's marker row was written by an earlier
     * connection), and its backend was terminated while idle: the session it went to must be known to be proven
     * gone, or the lost reply stays unknown (08007). Found by the fuzzer. A duplicate key answers as on the raw
     * driver once the write runs again.
     */
    @ParameterizedTest(name = "duplicate={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anInlineWriteFirstOnAConnectionKilledWhileIdleAnswersAsRaw(boolean duplicate) throws Exception {
        String key = "first-sent-" + duplicate;
        try (Connection c = DriverManager.getConnection(resilient(true)); Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "-row')")); // the slot's marker row
            if (duplicate) {
                assertEquals(1, s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "')"));
            }
        }
        long evidenceBefore = evidence(true, Lost.REPLY, Fault.TERMINATE);
        try (Connection c = DriverManager.getConnection(resilient(true));
             java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO lost_t VALUES (?)")) {
            int pid = c.unwrap(org.postgresql.PGConnection.class).getBackendPID(); // no round trip
            assertTrue(pg.terminateBackend(pid), "the backend was terminated");
            ps.setString(1, key);
            if (duplicate) {
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, ps::executeUpdate);
                assertEquals("23505", e.getSQLState(), () -> "as on the raw driver, got " + e);
            } else {
                assertEquals(1, ps.executeUpdate(), "the write ran once, on a new connection");
            }
        }
        assertEquals(1, rows(key));
        assertTrue(evidence(true, Lost.REPLY, Fault.TERMINATE) > evidenceBefore,
                "the write went inline, its reply was lost and the marker settled it");
    }

    /**
     * Issue 15: the COMMIT never reaches the server, the server is killed, and after crash recovery
     * another client's transaction is given our transaction's id and commits. pg_xact_status then reads
     * "committed"; the application must not be told its transaction committed on that word.
     */
    @ParameterizedTest(name = "marker={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anIdReusedAfterACrashNeverAnswersForTheLostTransaction(boolean marker) throws Exception {
        for (int attempt = 1; attempt <= 3; attempt++) {
            String key = "reuse-" + marker + "-" + attempt;
            Outcome o = run(key, Mode.EXPLICIT, Lost.COMMIT, Fault.CRASH, marker, true);
            assertNull(o.failure, () -> "the lost transaction is run again, got " + o.failure);
            assertEquals(1, rows(key), "the lost transaction committed exactly once, by its replay");
            if (o.reused) {
                try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM reuse_t WHERE xid = '" + o.xid + "'")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "the other transaction committed with our id");
                }
                return;
            }
            // The insert's WAL reached disk before the kill (a page filled up): its id stayed taken. Try again.
        }
        fail("in 3 attempts the crashed server never handed the lost transaction's id out again: the fault did not hit");
    }

    /**
     * Once a connection's marker row is known to be there, COMMIT updates it in place. Removed by hand under the
     * connection, the next COMMIT's UPDATE finds no row and commits without its evidence: a lost reply then cannot
     * be settled, and the answer is 08007 — never "not committed", whose replay would write the row twice. The
     * COMMIT after that writes the row anew, and the marker settles lost replies again.
     */
    @org.junit.jupiter.api.Test
    void aMarkerRowRemovedByHandLeavesALostCommitUnknownNeverReplayed() throws Exception {
        String key = "removed-marker";
        try (Connection c = DriverManager.getConnection(resilient(true)); Statement s = c.createStatement()) {
            int pid;
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "-first')");
            c.commit(); // the slot's row is written: from now on it is updated in place
            try (Connection d = DriverManager.getConnection(direct()); Statement ds = d.createStatement()) {
                assertTrue(ds.executeUpdate("DELETE FROM resilient_commit_marker") >= 1, "the marker row was there");
            }
            s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "')");
            arm(Lost.REPLY);
            Future<?> call = pool.submit(() -> {
                c.commit();
                return null;
            });
            awaitCondition(() -> !proxy.dropTriggerArmed(), "the proxy saw the COMMIT");
            awaitCondition(() -> rowsQuietly(key) == 1, "the server committed");
            assertTrue(pg.terminateBackend(pid), "the backend was terminated");
            ExecutionException thrown = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> call.get(90, TimeUnit.SECONDS));
            SQLException failure = (SQLException) thrown.getCause();
            assertEquals("08007", failure.getSQLState(), failure::toString);
            assertEquals(1, rows(key), "committed once and never run again");

            // Written anew by the next COMMIT, the row settles a lost reply again (and that transaction is not run twice).
            s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "-after')");
            c.commit();
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            c.commit();
            s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "-settled')");
            arm(Lost.REPLY);
            Future<?> settled = pool.submit(() -> {
                c.commit();
                return null;
            });
            awaitCondition(() -> !proxy.dropTriggerArmed(), "the proxy saw the second COMMIT");
            awaitCondition(() -> rowsQuietly(key + "-settled") == 1, "the server committed the second");
            assertTrue(pg.terminateBackend(pid), "the second backend was terminated");
            settled.get(90, TimeUnit.SECONDS); // settled by the marker: success
            assertEquals(1, rows(key + "-settled"));
            assertEquals(1, rows(key + "-after"));
        } finally {
            proxy.reset();
            proxy.cutAll();
        }
    }

    private record Outcome(SQLException failure, String xid, boolean reused, Object count) {
    }

    private Outcome run(String key, Mode mode, Lost lost, Fault fault, boolean marker, boolean reuseId) throws Exception {
        String startBefore = startTime();
        try {
            return runOnce(key, mode, lost, fault, marker, reuseId, startBefore);
        } finally {
            // A failed check must not leave the client blocked on a dropped request while its connection is closed.
            proxy.reset();
            proxy.cutAll();
        }
    }

    private Outcome runOnce(String key, Mode mode, Lost lost, Fault fault, boolean marker, boolean reuseId, String startBefore)
            throws Exception {
        try (Connection c = DriverManager.getConnection(resilient(marker)); Statement s = c.createStatement()) {
            int pid;
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            String[] xid = {null};
            Future<?> call;
            if (mode == Mode.EXPLICIT) {
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "')");
                xid[0] = backendXid(pid); // asked on the side: a replay would see a new id and rightly diverge
                arm(lost);
                call = pool.submit(() -> {
                    c.commit();
                    return null;
                });
            } else {
                if (mode == Mode.INLINE) {
                    assertEquals(1, s.executeUpdate("INSERT INTO lost_t VALUES ('" + key + "-first')")); // writes the row
                }
                arm(lost, mode == Mode.INLINE ? INLINE_WORD : "COMMIT");
                // A leading comment keeps EXACTLY_ONCE_AUTOCOMMIT's write out of the inline form: its own transaction and COMMIT.
                String sql = (mode == Mode.INLINE ? "" : "/* own transaction */ ") + "INSERT INTO lost_t VALUES ('" + key + "')";
                if (mode == Mode.RETURNING_QUERY) {
                    call = pool.submit(() -> {
                        try (ResultSet rs = s.executeQuery("INSERT INTO lost_t VALUES ('" + key + "') RETURNING k")) {
                            return rs.next() ? rs.getString(1) : null;
                        }
                    });
                } else if (mode == Mode.BATCH) {
                    s.addBatch("INSERT INTO lost_t VALUES ('" + key + "')");
                    s.addBatch("INSERT INTO lost_t VALUES ('" + key + "-also')");
                    call = pool.submit(s::executeBatch);
                } else {
                    call = pool.submit(() -> s.executeUpdate(sql));
                }
            }
            awaitCondition(() -> lost == Lost.COMMIT ? !proxy.dropRequestTriggerArmed() : !proxy.dropTriggerArmed(),
                    "the proxy saw the COMMIT (INLINE: the write with its marker)");
            if (lost == Lost.REPLY) {
                awaitCondition(() -> rowsQuietly(key) == 1, "the server committed");
            }
            boolean reused = false;
            switch (fault) {
                case TERMINATE -> assertTrue(pg.terminateBackend(pid), "the backend was terminated");
                case FAST_RESTART -> {
                    proxy.refuseNew(true);
                    pg.restart();
                }
                case CRASH -> {
                    proxy.refuseNew(true);
                    pg.crash();
                    pg.start();
                    if (reuseId) {
                        reused = takeId(Long.parseLong(xid[0]));
                    }
                }
            }
            if (fault != Fault.TERMINATE) {
                assertNotEquals(startBefore, startTime(), "the server restarted");
            }
            proxy.refuseNew(false);
            SQLException failure = null;
            Object count = null;
            try {
                count = call.get(90, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SQLException)) {
                    throw e;
                }
                failure = (SQLException) e.getCause();
            }
            return new Outcome(failure, xid[0], reused, count);
        }
    }

    private static void arm(Lost lost) {
        arm(lost, "COMMIT");
    }

    private static void arm(Lost lost, String text) {
        if (lost == Lost.COMMIT) {
            proxy.dropRequestsOnceContaining(text);
        } else {
            proxy.dropRepliesOnceAfterClientSends(text);
        }
    }

    /**
     * Directly (not through the proxy, which still refuses the driver): new transactions take ids until
     * one is given {@code xid}, which then commits a row. False when the server was already past it.
     */
    private static boolean takeId(long xid) throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (int i = 0; i < 1000; i++) {
                long got;
                try (ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text")) {
                    rs.next();
                    got = Long.parseLong(rs.getString(1));
                }
                if (got > xid) {
                    c.rollback();
                    return false;
                }
                if (got == xid) {
                    s.executeUpdate("INSERT INTO reuse_t VALUES ('" + xid + "')");
                    c.commit();
                    return true;
                }
                c.commit();
            }
        }
        return false;
    }

    private static long evidence(boolean marker, Lost lost, Fault fault) {
        RerunRules.InDoubtEvidence e = marker ? RerunRules.InDoubtEvidence.MARKER
                : fault == Fault.TERMINATE ? RerunRules.InDoubtEvidence.XACT_STATUS
                : lost == Lost.COMMIT ? RerunRules.InDoubtEvidence.NOT_COMMITTED : RerunRules.InDoubtEvidence.RESTARTED;
        return stat(s -> s.inDoubtEvidence(e.ordinal()));
    }

    private static long stat(java.util.function.ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + proxy.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    private static void awaitCondition(BooleanSupplier done, String what) throws InterruptedException {
        dev.resilientjdbc.testkit.Await.until(Duration.ofSeconds(30), done, what);
    }

    private static String direct() {
        return pg.jdbcUrl() + "?user=postgres";
    }

    private static String resilient(boolean marker) {
        return PostgresExtension.proxiedUrl(pg, proxy).replace("jdbc:", "jdbc:resilient:")
                + "?user=postgres&resilient.connect.maxDuration=60s&resilient.retry.maxDuration=60s"
                + "&resilient.autocommit.exactlyOnce=true&resilient.indoubt.marker=" + marker;
    }

    /** The 32-bit id of the transaction open in backend {@code pid}; the test server's epoch is 0, so it is the full id. */
    private static String backendXid(int pid) throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT backend_xid::text FROM pg_stat_activity WHERE pid = " + pid)) {
            assertTrue(rs.next(), "backend " + pid + " is there");
            return rs.getString(1);
        }
    }

    private static String startTime() throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_postmaster_start_time()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long rows(String k) throws SQLException {
        try (Connection c = DriverManager.getConnection(direct()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM lost_t WHERE k = '" + k + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long rowsQuietly(String k) {
        try {
            return rows(k);
        } catch (SQLException e) {
            return -1;
        }
    }
}
