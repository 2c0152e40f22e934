package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgSettings;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Statements the application executes again after a replay, with new parameters, a new batch or new
 * settings: each program runs once on the raw driver without a fault (the oracle) and once through
 * {@code jdbc:resilient:} with a real fault at a fixed point; what the application saw and what the
 * database kept must be the same. Each of these lost or invented money before the replay put the
 * application's own bindings back on the statements it replayed.
 */
@PgTest
@PgSettings(crashSafe = true)
class PostgresStatementReuseReplayTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    enum Fault { TERMINATE, RESTART, CRASH }

    enum Where { BEFORE_FAILURE, BEFORE_COMMIT }

    /** A program shaped like an application; {@code fault.strike()} marks where the fault hits in the resilient run. */
    @FunctionalInterface
    interface Program {
        void run(Connection c, Striker fault, List<Object> seen) throws Exception;
    }

    /** Strikes a real fault (or nothing, in the oracle run) and remembers that it hit. */
    static final class Striker {
        private final Fault kind;
        int hits;

        Striker(Fault kind) {
            this.kind = kind;
        }

        void strike() {
            if (kind == null) {
                return;
            }
            switch (kind) {
                case TERMINATE:
                    assertTrue(pg.terminateAllClientBackends() > 0, "a backend of the application was terminated");
                    break;
                case RESTART:
                    pg.restart();
                    break;
                default:
                    pg.crashRestart();
            }
            hits++;
        }
    }

    private static String raw() {
        return pg.jdbcUrl() + "?user=postgres&connectTimeout=5&socketTimeout=30";
    }

    private static String resilient() {
        return raw().replace("jdbc:", "jdbc:resilient:");
    }

    private static void reset() throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS accounts, journal");
            s.execute("CREATE TABLE accounts(id int PRIMARY KEY, balance bigint NOT NULL)");
            s.execute("INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, 8) g");
            s.execute("CREATE TABLE journal(id serial PRIMARY KEY, src int, dst int, amount bigint)");
        }
    }

    private static List<String> database() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, balance FROM accounts ORDER BY id")) {
                while (rs.next()) {
                    rows.add("account " + rs.getInt(1) + "=" + rs.getLong(2));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT src, dst, amount FROM journal ORDER BY id")) {
                while (rs.next()) {
                    rows.add("journal " + rs.getInt(1) + "->" + rs.getInt(2) + " " + rs.getLong(3));
                }
            }
        }
        return rows;
    }

    private static long count(java.util.function.ToLongFunction<dev.resilientjdbc.retry.RetryStats> what) {
        return ResilientDriver.targets().matching("127.0.0.1:" + pg.port() + "/").stream().mapToLong(g -> what.applyAsLong(g.stats())).sum();
    }

    /** Runs {@code program} raw without a fault, then resilient with {@code fault}; both must see and keep the same. */
    private static void sameAsFaultFree(Fault fault, Program program) throws Exception {
        reset();
        List<Object> oracle = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(raw())) {
            program.run(c, new Striker(null), oracle);
        }
        List<String> oracleDb = database();

        reset();
        long reconnects = count(s -> s.reconnects());
        long divergences = count(s -> s.divergences());
        List<Object> seen = new ArrayList<>();
        Striker striker = new Striker(fault);
        try (Connection c = DriverManager.getConnection(resilient())) {
            program.run(c, striker, seen);
        }
        assertTrue(striker.hits > 0, "the fault was struck");
        assertTrue(count(s -> s.reconnects()) > reconnects, "the fault hit: the driver reconnected");
        assertEquals(divergences, count(s -> s.divergences()), "no other writer: a replay must not diverge");
        assertEquals(oracle, seen, "what the application saw");
        assertEquals(oracleDb, database(), "what the database kept");
    }

    private static void transfer(PreparedStatement move, int src, int dst, long amount, List<Object> seen) throws SQLException {
        move.setLong(1, -amount);
        move.setInt(2, src);
        seen.add(move.executeUpdate());
        move.setLong(1, amount);
        move.setInt(2, dst);
        seen.add(move.executeUpdate());
    }

    private static void update(Connection c, String sql, List<Object> seen) throws SQLException {
        try (Statement s = c.createStatement()) {
            seen.add(s.executeUpdate(sql));
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void onePreparedStatementForDebitAndCreditWithAFaultBetween(Fault fault) throws Exception {
        sameAsFaultFree(fault, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                ps.setLong(1, -82);
                ps.setInt(2, 3);
                seen.add(ps.executeUpdate());
                f.strike();
                ps.setLong(1, 82);
                ps.setInt(2, 6);
                seen.add(ps.executeUpdate());
            }
            try (PreparedStatement j = c.prepareStatement("INSERT INTO journal(src, dst, amount) VALUES (?, ?, ?)")) {
                j.setInt(1, 3);
                j.setInt(2, 6);
                j.setLong(3, 82);
                seen.add(j.executeUpdate());
            }
            c.commit();
        });
    }

    @Test
    void aServerPreparedStatementPastThePrepareThresholdIsReboundToo() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                for (int i = 1; i <= 6; i++) { // pgjdbc's prepareThreshold is 5: the sixth runs server-prepared
                    ps.setLong(1, i);
                    ps.setInt(2, i);
                    seen.add(ps.executeUpdate());
                }
                f.strike();
                ps.setLong(1, -500);
                ps.setInt(2, 8);
                seen.add(ps.executeUpdate());
                ps.setLong(1, 500);
                ps.setInt(2, 7);
                seen.add(ps.executeUpdate());
            }
            c.commit();
        });
    }

    @Test
    void twoForUpdateSelectsThroughOneStatementReadTheirOwnRows() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement("SELECT id, balance FROM accounts WHERE id = ? FOR UPDATE");
                 PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                update(c, "UPDATE accounts SET balance = 2000 WHERE id = 5", seen);
                lock.setInt(1, 2);
                read(lock, seen);
                f.strike();
                lock.setInt(1, 5);
                read(lock, seen);
                transfer(move, 5, 2, 300, seen);
            }
            c.commit();
        });
    }

    private static void read(PreparedStatement ps, List<Object> seen) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                seen.add(rs.getInt(1) + ":" + rs.getLong(2));
            }
        }
    }

    @Test
    void twoFaultsInOneTransactionWithNoOtherWriterDoNotDiverge() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement("SELECT balance FROM accounts WHERE id = ? FOR UPDATE");
                 PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                lock.setInt(1, 1);
                read1(lock, seen);
                transfer(move, 1, 2, 10, seen);
                f.strike();
                lock.setInt(1, 2);
                read1(lock, seen);
                transfer(move, 2, 3, 20, seen);
                f.strike();
                lock.setInt(1, 3);
                read1(lock, seen);
                transfer(move, 3, 4, 30, seen);
            }
            c.commit();
        });
    }

    private static void read1(PreparedStatement ps, List<Object> seen) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            seen.add(rs.next() ? rs.getLong(1) : "no row");
        }
    }

    @Test
    void aBatchBoundAgainAfterExecuteBatchRunsTheNewBatch() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement j = c.prepareStatement("INSERT INTO journal(src, dst, amount) VALUES (?, ?, ?)")) {
                addJournal(j, 1, 2, 5);
                addJournal(j, 2, 3, 6);
                seen.add(Arrays.toString(j.executeBatch()));
                f.strike();
                addJournal(j, 3, 4, 7);
                seen.add(Arrays.toString(j.executeBatch()));
                addJournal(j, 4, 5, 8);
                addJournal(j, 5, 6, 9);
                addJournal(j, 6, 7, 10);
                seen.add(Arrays.toString(j.executeBatch()));
            }
            c.commit();
        });
    }

    private static void addJournal(PreparedStatement j, int src, int dst, long amount) throws SQLException {
        j.setInt(1, src);
        j.setInt(2, dst);
        j.setLong(3, amount);
        j.addBatch();
    }

    @Test
    void aPendingBatchSurvivesAReconnectMadeByAnotherStatement() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            try (PreparedStatement pending = c.prepareStatement("INSERT INTO journal(src, dst, amount) VALUES (?, ?, ?)");
                 PreparedStatement bound = c.prepareStatement("INSERT INTO journal(src, dst, amount) VALUES (?, ?, ?)");
                 PreparedStatement read = c.prepareStatement("SELECT count(*) FROM accounts")) {
                addJournal(pending, 1, 2, 5);
                addJournal(pending, 2, 3, 6);
                bound.setInt(1, 7);
                bound.setInt(2, 8);
                bound.setLong(3, 9);
                f.strike();
                read1(read, seen); // autocommit: this read reconnects; the other statements follow when next used
                seen.add(Arrays.toString(pending.executeBatch())); // first use after the reconnect: runs its batch
                bound.addBatch(); // first use after the reconnect: added once
                seen.add(Arrays.toString(bound.executeBatch()));
            }
        });
    }

    @Test
    void aStatementWhoseSettingsChangedReplaysEachCallWithItsOwnSettings() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, balance FROM accounts WHERE id >= ? ORDER BY id")) {
                ps.setInt(1, 3);
                read(ps, seen);
                ps.setMaxRows(2);
                ps.setInt(1, 1);
                read(ps, seen);
                f.strike();
                ps.setMaxRows(1);
                ps.setInt(1, 6);
                read(ps, seen);
                seen.add(ps.getMaxRows());
            }
            update(c, "UPDATE accounts SET balance = balance - 1 WHERE id = 1", seen);
            c.commit();
        });
    }

    @Test
    void aResultSetTheApplicationClosedStaysClosedAfterAReplay() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); Statement other = c.createStatement()) {
                ResultSet closed = s.executeQuery("SELECT id FROM accounts ORDER BY id");
                closed.next();
                seen.add(closed.getInt(1));
                closed.close();
                ResultSet open = other.executeQuery("SELECT id FROM accounts ORDER BY id");
                open.next();
                f.strike();
                update(c, "UPDATE accounts SET balance = 0 WHERE id = 8", seen);
                seen.add(closed.isClosed());
                seen.add(open.isClosed());
                open.next();
                seen.add(open.getInt(1));
            }
            c.commit();
        });
    }

    /** closeOnCompletion: closing the last result set closes the statement, replayed or not (as on the raw driver). */
    @Test
    void aCloseOnCompletionStatementClosesWithItsResultSetAfterAReplay() throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            Statement s = c.createStatement();
            s.closeOnCompletion();
            ResultSet rs = s.executeQuery("SELECT id FROM accounts ORDER BY id");
            rs.next();
            seen.add(rs.getInt(1));
            f.strike();
            update(c, "UPDATE accounts SET balance = 0 WHERE id = 8", seen);
            rs.next();
            seen.add(rs.getInt(1));
            seen.add(s.isCloseOnCompletion());
            rs.close();
            seen.add(s.isClosed());
            c.commit();
        });
    }

    @ParameterizedTest
    @EnumSource(names = {"BEFORE_FAILURE", "BEFORE_COMMIT"})
    void aTransactionTheServerAbortedIsNotCommittedByAReplay(Where where) throws Exception {
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO accounts VALUES (?, 0)")) {
                transfer(move, 1, 2, 50, seen);
                if (where == Where.BEFORE_FAILURE) {
                    f.strike();
                }
                insert.setInt(1, 1); // a duplicate key: the server aborts the transaction
                try {
                    insert.executeUpdate();
                    seen.add("inserted");
                } catch (SQLException e) {
                    seen.add(e.getSQLState());
                }
                if (where == Where.BEFORE_COMMIT) {
                    f.strike(); // a replay must fail the same way, or it would commit the transfer
                }
                try {
                    c.commit();
                    seen.add("committed");
                } catch (SQLException e) {
                    seen.add("commit " + e.getSQLState());
                }
            }
        });
    }

    @Test
    void switchingAutocommitOnCommitsTheTransactionAfterAFault() throws Exception {
        // Found by ReplayFuzzProperties: the lost connection made setAutoCommit(true) return normally with the
        // transaction gone, an acknowledged commit lost.
        sameAsFaultFree(Fault.TERMINATE, (c, f, seen) -> {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
                delete.setInt(1, 1);
                seen.add(delete.executeUpdate());
                f.strike();
                c.setAutoCommit(true);
                delete.setInt(1, 2);
                seen.add(delete.executeUpdate());
            }
        });
    }
}
