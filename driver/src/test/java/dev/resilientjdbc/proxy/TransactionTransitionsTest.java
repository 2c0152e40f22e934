package dev.resilientjdbc.proxy;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.faulty.FaultPlan;
import dev.resilientjdbc.faulty.FaultRule;
import dev.resilientjdbc.faulty.FaultyDriver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.transaction.TransactionState.Phase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transaction state machine driven through a real logical connection, transition by transition:
 * a real SQLite file behind {@code jdbc:faulty:}, whose plan throws a connection failure (08006) or a
 * serialization failure (40001) exactly where each transition needs it. Each case checks the fault
 * fired, the phase the connection is in, what the application saw and what the database holds.
 */
class TransactionTransitionsTest {
    @TempDir
    Path dir;
    private String plan;
    private FaultPlan faults;

    @BeforeAll
    static void faultyDriver() {
        new FaultyDriver(); // registers jdbc:faulty: with DriverManager
    }

    @AfterEach
    void forget() {
        FaultPlan.unregister(plan);
        ResilientDriver.targets().close();
    }

    private Connection open(String name, String options, FaultRule... rules) throws SQLException {
        plan = name;
        Path db = dir.resolve(name + ".db");
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        }
        faults = FaultPlan.register(name, 1, rules);
        assertTrue(faults.thrown().isEmpty());
        String url = "jdbc:resilient:faulty:sqlite:" + db + "?faulty.plan=" + name + (options.isEmpty() ? "" : "&" + options);
        return new ResilientDriver().connect(url, new Properties());
    }

    private static Phase phase(Connection c) {
        return ((ConnectionHandler) Proxy.getInvocationHandler(c)).logical().transactionPhase();
    }

    private static long stat(Connection c, ToLongFunction<RetryStats> f) {
        return f.applyAsLong(((ConnectionHandler) Proxy.getInvocationHandler(c)).logical().retrier().guard().stats());
    }

    private int rows() throws SQLException {
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(plan + ".db"));
             Statement s = raw.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static FaultRule connectionLost(String method, long nth) {
        return FaultRule.on(method).nth(nth).sqlState("08006").kind(FaultRule.Kind.NON_TRANSIENT_CONNECTION).build();
    }

    @Test
    void activeThenLostAndReplayedThenCommitted() throws SQLException {
        try (Connection c = open("replayed", "", connectionLost("executeUpdate", 2))) {
            assertEquals(Phase.NONE, phase(c));
            c.setAutoCommit(false);
            assertEquals(Phase.NONE, phase(c), "nothing ran yet");
            try (Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("INSERT INTO t VALUES (1, 10)"));
                assertEquals(Phase.ACTIVE, phase(c));
                assertEquals(1, s.executeUpdate("INSERT INTO t VALUES (2, 20)"), "the lost connection is invisible");
            }
            assertEquals(1, faults.thrown().size(), "the fault fired");
            assertEquals(1, stat(c, RetryStats::replays));
            assertEquals(Phase.ACTIVE, phase(c), "replayed: the transaction goes on");
            c.commit();
            assertEquals(Phase.NONE, phase(c));
        }
        assertEquals(2, rows(), "both rows committed once");
    }

    @Test
    void lostBetweenCallsWaitsForItsReplay() throws SQLException {
        try (Connection c = open("between", "", connectionLost("getMetaData", 1))) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1, 10)");
                c.getMetaData(); // the connection is lost here and the call made again on a new one
                assertEquals(1, faults.thrown().size(), "the fault fired");
                assertEquals(Phase.LOST_REPLAYABLE, phase(c), "the transaction's work is on the lost connection");
                assertEquals(0, stat(c, RetryStats::replays), "replayed only when the transaction goes on");
                s.executeUpdate("INSERT INTO t VALUES (2, 20)");
            }
            assertEquals(Phase.ACTIVE, phase(c));
            assertEquals(1, stat(c, RetryStats::replays));
            c.commit();
        }
        assertEquals(2, rows());
    }

    @Test
    void notReplayableMeansLostUntilRollback() throws SQLException {
        try (Connection c = open("lost", "resilient.replay.maxBytes=0", connectionLost("executeUpdate", 2))) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1, 10)");
                SQLException first = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t VALUES (2, 20)"));
                assertEquals("08006", first.getSQLState(), "the real failure, as the raw driver would give it");
                assertEquals(Phase.LOST, phase(c));
                SQLException next = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t VALUES (3, 30)"));
                assertEquals("40000", next.getSQLState(), next.getMessage());
            }
            c.rollback();
            assertEquals(Phase.NONE, phase(c));
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (4, 40)");
            }
            c.commit();
            assertEquals(0, stat(c, RetryStats::replays));
        }
        assertEquals(1, rows(), "only the transaction after the rollback");
    }

    @Test
    void commitOfALostTransactionFailsAndEndsIt() throws SQLException {
        try (Connection c = open("lostcommit", "resilient.replay.maxBytes=0", connectionLost("executeUpdate", 2))) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1, 10)");
                assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t VALUES (2, 20)"));
            }
            SQLException e = assertThrows(SQLException.class, c::commit);
            assertEquals("40000", e.getSQLState());
            assertEquals(Phase.NONE, phase(c), "COMMIT ended it");
        }
        assertEquals(0, rows());
    }

    @Test
    void theOpeningStatementLostRestartsTheTransaction() throws SQLException {
        // Without a replay log (with one, an empty log is replayed: the same outcome, counted as a replay).
        try (Connection c = open("restart", "resilient.replay.maxBytes=0", connectionLost("executeUpdate", 1))) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("INSERT INTO t VALUES (1, 10)"));
            }
            assertEquals(1, faults.thrown().size(), "the fault fired");
            assertEquals(Phase.ACTIVE, phase(c));
            assertEquals(0, stat(c, RetryStats::replays), "nothing to replay: it started afresh");
            assertEquals(1, stat(c, RetryStats::reconnects));
            c.commit();
        }
        assertEquals(1, rows());
    }

    @Test
    void aSerializationFailureAtCommitReplaysAndCommitsOnce() throws SQLException {
        FaultRule serialization = FaultRule.on("commit").nth(1).sqlState("40001").kind(FaultRule.Kind.TRANSACTION_ROLLBACK).build();
        try (Connection c = open("serial", "", serialization)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t VALUES (1, 10)");
            }
            c.commit();
            assertEquals(1, faults.thrown().size(), "the fault fired");
            assertEquals(1, stat(c, RetryStats::replays));
            assertEquals(Phase.NONE, phase(c));
        }
        assertEquals(1, rows(), "committed once, not twice");
    }
}
