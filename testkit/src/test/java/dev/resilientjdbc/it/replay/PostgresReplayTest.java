package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transaction replay against a real PostgreSQL 17: the backend of an explicit transaction is really
 * terminated (or the server restarted) at each point of the transaction, and real serialization
 * failures are provoked. The application sees nothing, or — when the data it read changed — a
 * replay divergence, never a wrong result. Every case proves its fault hit: a backend was really
 * terminated, and the driver counted the reconnect, replay or divergence the case is about.
 */
@PgTest
@PgSettings(crashSafe = true)
class PostgresReplayTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @BeforeEach
    void clean() throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS rows_t");
            s.execute("CREATE TABLE rows_t(k text PRIMARY KEY, v int NOT NULL)");
            s.execute("INSERT INTO rows_t SELECT 'seed' || g, g FROM generate_series(1, 5) g");
        }
    }

    private static String raw() {
        return pg.jdbcUrl() + "?user=postgres&connectTimeout=5&socketTimeout=30";
    }

    private static String resilient() {
        return raw().replace("jdbc:", "jdbc:resilient:");
    }

    private static List<String> keys() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT k FROM rows_t WHERE k NOT LIKE 'seed%' ORDER BY k")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static int value(String k) throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM rows_t WHERE k = '" + k + "'")) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }

    private static long stat(ToLongFunction<RetryStats> f) {
        return ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/").stream().mapToLong(g -> f.applyAsLong(g.stats())).sum();
    }

    private static long replays() {
        return stat(RetryStats::replays);
    }

    private static long reconnects() {
        return stat(RetryStats::reconnects);
    }

    private static void terminateTheApplicationsBackend() {
        assertTrue(pg.terminateAllClientBackends() > 0, "a backend of the application was terminated");
    }

    @Test
    void rawDriverLosesTheTransaction() throws Exception {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO rows_t VALUES ('a', 1)");
            terminateTheApplicationsBackend();
            assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO rows_t VALUES ('b', 2)"));
        }
        assertEquals(List.of(), keys(), "the raw transaction is gone: the fault is real");
    }

    @Test
    void killedInTheMiddleTheTransactionGoesOn() throws Exception {
        long before = replays();
        long reconnectsBefore = reconnects();
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertEquals(1, s.executeUpdate("INSERT INTO rows_t VALUES ('a', 1)"));
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM rows_t")) {
                rs.next();
                assertEquals(6, rs.getInt(1));
            }
            terminateTheApplicationsBackend();
            assertEquals(1, s.executeUpdate("INSERT INTO rows_t VALUES ('b', 2)"));
            c.commit();
        }
        assertEquals(List.of("a", "b"), keys(), "both statements applied exactly once");
        assertTrue(replays() > before, "the transaction was really replayed");
        assertTrue(reconnects() > reconnectsBefore, "on a new connection");
    }

    @Test
    void killedAfterTheLastStatementTheCommitReplaysFirst() throws Exception {
        long before = replays();
        try (Connection c = DriverManager.getConnection(resilient());
             PreparedStatement ps = c.prepareStatement("INSERT INTO rows_t VALUES (?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                ps.setString(1, "p" + i);
                ps.setInt(2, i);
                assertEquals(1, ps.executeUpdate());
            }
            terminateTheApplicationsBackend();
            c.commit();
        }
        assertEquals(List.of("p0", "p1", "p2"), keys(), "each parameter set applied exactly once");
        assertTrue(replays() > before, "the transaction was replayed before its COMMIT");
    }

    @Test
    void killedBeforeTheFirstStatement() throws Exception {
        long before = reconnects();
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            terminateTheApplicationsBackend();
            assertEquals(1, s.executeUpdate("INSERT INTO rows_t VALUES ('first', 1)"));
            c.commit();
        }
        assertEquals(List.of("first"), keys());
        assertTrue(reconnects() > before, "the first statement ran again on a new connection");
    }

    @Test
    void serverRestartedInTheMiddle() throws Exception {
        long before = replays();
        long postmaster = pg.postmasterPid();
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("UPDATE rows_t SET v = v + 100 WHERE k = 'seed1'");
            pg.restart();
            s.executeUpdate("INSERT INTO rows_t VALUES ('after-restart', 7)");
            c.commit();
        }
        assertEquals(101, value("seed1"), "applied once");
        assertEquals(List.of("after-restart"), keys());
        assertTrue(pg.postmasterPid() != postmaster, "the server really restarted");
        assertTrue(replays() > before, "the transaction was replayed on the restarted server");
    }

    @Test
    void openResultSetContinuesOnTheReplayedOne() throws Exception {
        long before = replays();
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement();
             Statement other = c.createStatement()) {
            c.setAutoCommit(false);
            ResultSet rs = s.executeQuery("SELECT k, v FROM rows_t ORDER BY v");
            assertTrue(rs.next());
            assertEquals("seed1", rs.getString(1));
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(2));
            terminateTheApplicationsBackend();
            assertEquals(1, other.executeUpdate("INSERT INTO rows_t VALUES ('zz', 99)"));
            assertTrue(rs.next(), "the application's result set goes on where it was");
            assertEquals("seed3", rs.getString(1));
            assertEquals(3, rs.getInt(2));
            c.commit();
        }
        assertEquals(List.of("zz"), keys());
        assertTrue(replays() > before, "the transaction, its open query included, was replayed");
    }

    @Test
    void savepointsAreReplayedAndRollbackToSavepointTrimsTheLog() throws Exception {
        long before = replays();
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO rows_t VALUES ('a', 1)");
            Savepoint sp = c.setSavepoint("before_b");
            s.executeUpdate("INSERT INTO rows_t VALUES ('b', 2)");
            c.rollback(sp);
            s.executeUpdate("INSERT INTO rows_t VALUES ('c', 3)");
            Savepoint sp2 = c.setSavepoint();
            terminateTheApplicationsBackend();
            s.executeUpdate("INSERT INTO rows_t VALUES ('d', 4)");
            c.rollback(sp2); // the application's savepoint object still works after the replay
            s.executeUpdate("INSERT INTO rows_t VALUES ('e', 5)");
            c.commit();
        }
        assertEquals(List.of("a", "c", "e"), keys());
        assertTrue(replays() > before, "the transaction and its savepoints were replayed");
    }

    @Test
    void replayThatSeesDifferentDataDivergesAndSaysSo() throws Exception {
        long before = stat(RetryStats::divergences);
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement();
             Connection other = DriverManager.getConnection(raw())) {
            c.setAutoCommit(false);
            int seen;
            try (ResultSet rs = s.executeQuery("SELECT v FROM rows_t WHERE k = 'seed1'")) {
                rs.next();
                seen = rs.getInt(1);
            }
            try (Statement o = other.createStatement()) {
                o.executeUpdate("UPDATE rows_t SET v = 1000 WHERE k = 'seed1'");
            }
            terminateTheApplicationsBackend();
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeUpdate("UPDATE rows_t SET v = " + (seen + 1) + " WHERE k = 'seed1'"));
            assertInstanceOf(SQLTransactionRollbackException.class, e);
            assertEquals("40001", e.getSQLState());
            assertTrue(e.getMessage().contains("diverged"), e.getMessage());
            assertEquals(before + 1, stat(RetryStats::divergences), "one replay ran and was counted as diverged");
            // Until the application rolls back, nothing more can run in the failed transaction.
            SQLException blocked = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO rows_t VALUES ('x', 1)"));
            assertEquals("40000", blocked.getSQLState());
            c.rollback();
            s.executeUpdate("INSERT INTO rows_t VALUES ('y', 1)");
            c.commit();
        }
        assertEquals(1000, value("seed1"), "the other writer's value stands: the diverged transaction did not overwrite it");
        assertEquals(List.of("y"), keys());
    }

    /**
     * Values whose 32-bit hash codes are equal ("Aa" and "BB"; the longs 2^32+1 and 2^33+2, both hashing to 0 and
     * printing with 10 digits): a replay that reads the other one must diverge. A digest folded from hashCode() took
     * them for the same answer, and the transaction committed on a value the application never saw.
     */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource({"text, Aa, BB", "bigint, 4294967297, 8589934594", "numeric, 1.0, 1.00"})
    void replayThatReadsAnotherValueWithTheSameHashCodeDiverges(String type, String seen, String changed) throws Exception {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS hashes_t");
            s.execute("CREATE TABLE hashes_t(k int PRIMARY KEY, v " + type + " NOT NULL, n int NOT NULL)");
            s.execute("INSERT INTO hashes_t VALUES (1, '" + seen + "', 0)");
        }
        long before = stat(RetryStats::divergences);
        try (Connection c = DriverManager.getConnection(resilient()); Statement s = c.createStatement();
             Connection other = DriverManager.getConnection(raw())) {
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("SELECT v FROM hashes_t WHERE k = 1")) {
                rs.next();
                assertEquals(seen, rs.getString(1));
            }
            try (Statement o = other.createStatement()) {
                assertEquals(1, o.executeUpdate("UPDATE hashes_t SET v = '" + changed + "' WHERE k = 1"));
            }
            terminateTheApplicationsBackend();
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE hashes_t SET n = n + 1 WHERE k = 1"));
            assertEquals("40001", e.getSQLState(), "the replay read " + changed + " where the application saw " + seen);
            assertEquals(before + 1, stat(RetryStats::divergences), "the transaction was replayed and counted as diverged");
            c.rollback();
        }
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v, n FROM hashes_t WHERE k = 1")) {
            assertTrue(rs.next());
            assertEquals(changed, rs.getString(1), "the other writer's value stands");
            assertEquals(0, rs.getInt(2), "the diverged transaction wrote nothing");
        }
    }

    @Test
    void realSerializationFailureIsReplayedWhenWhatTheAppReadDidNotChange() throws Exception {
        String update = "UPDATE rows_t SET v = v + 1 WHERE k = 'seed1'";
        // Raw: a REPEATABLE READ transaction that updates a row another transaction changed since its snapshot fails.
        assertEquals("40001", serializationRace(raw(), update).getSQLState(), "the failure is real");
        clean();
        long before = replays();
        assertEquals(null, serializationRace(resilient(), update), "resilient replays it");
        assertEquals(before + 1, replays(), "one replay, after the one real serialization failure");
        assertEquals(1 + 10 + 1, value("seed1"), "the other writer's +10 and our +1, each once");
    }

    private static SQLException serializationRace(String url, String update) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             Connection other = DriverManager.getConnection(raw()); Statement o = other.createStatement()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (ResultSet rs = s.executeQuery("SELECT v FROM rows_t WHERE k = 'seed2'")) { // takes the snapshot
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
            o.executeUpdate("UPDATE rows_t SET v = v + 10 WHERE k = 'seed1'");
            try {
                s.executeUpdate(update);
                c.commit();
                return null;
            } catch (SQLException e) {
                c.rollback();
                return e;
            }
        }
    }

    @Test
    void transactionPastTheReplayBoundFailsAsTheRawDriverWould() throws Exception {
        long before = replays();
        try (Connection c = DriverManager.getConnection(resilient() + "&resilient.replay.maxBytes=200"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO rows_t VALUES ('" + "k".repeat(300) + "', 1)");
            terminateTheApplicationsBackend();
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO rows_t VALUES ('b', 2)"));
            assertTrue(e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57"), e.toString());
            c.rollback();
        }
        assertEquals(List.of(), keys());
        assertEquals(before, replays(), "nothing was replayed: the log was past its bound");
    }
}
