package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A write refused (25006) in a session the application made read-only is the application's own answer:
 * no reconnect, no replay, the transaction stays as the server left it — as on the raw driver, whose
 * observations are the expected ones. (25006 from a read-only server, a standby, is still recovered.)
 */
@PgTest
class PostgresReadOnlySessionTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) throws SQLException {
        pg = server;
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ro(id int PRIMARY KEY, v int)");
            s.execute("INSERT INTO ro VALUES (1, 1) ON CONFLICT DO NOTHING");
        }
    }

    private static String raw() {
        return pg.jdbcUrl() + "?user=postgres&connectTimeout=5";
    }

    private static List<Object> writeInAReadOnlySession(String url) throws SQLException {
        List<Object> seen = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("SELECT v FROM ro WHERE id = 1")) {
                rs.next();
                seen.add(rs.getInt(1));
            }
            long t0 = System.nanoTime();
            try {
                s.executeUpdate("UPDATE ro SET v = v + 1 WHERE id = 1");
                seen.add("updated");
            } catch (SQLException e) {
                seen.add(e.getSQLState());
            }
            seen.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1000 ? "at once" : "after retries");
            try {
                c.setReadOnly(false); // the transaction is still open (aborted): not allowed
                seen.add("read-only changed");
            } catch (SQLException e) {
                seen.add(e.getSQLState());
            }
            c.rollback();
            c.setReadOnly(false);
            seen.add(s.executeUpdate("UPDATE ro SET v = v WHERE id = 1"));
            c.commit();
        }
        return seen;
    }

    @Test
    void aWriteRefusedInAReadOnlySessionIsNotRecovered() throws Exception {
        List<Object> rawSeen = writeInAReadOnlySession(raw());
        assertEquals(List.of(1, "25006", "at once", "25001", 1), rawSeen, "the raw driver's behaviour");
        long reconnects = ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum();
        assertEquals(rawSeen, writeInAReadOnlySession(raw().replace("jdbc:", "jdbc:resilient:")));
        assertEquals(reconnects, ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum(),
                "the connection was not replaced");
    }

    /** The session made read-only with SQL or by its start-up options, not through setReadOnly: the same answer. */
    private static List<Object> writeInASessionMadeReadOnly(String url, String how) throws SQLException {
        List<Object> seen = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            if (how.startsWith("SET SESSION")) {
                s.execute(how);
            }
            c.setAutoCommit(false);
            if (how.startsWith("SET TRANSACTION")) {
                s.execute(how);
            }
            try (ResultSet rs = s.executeQuery("SELECT v FROM ro WHERE id = 1")) {
                rs.next();
                seen.add(rs.getInt(1));
            }
            long t0 = System.nanoTime();
            try {
                s.executeUpdate("UPDATE ro SET v = v + 1 WHERE id = 1");
                seen.add("updated");
            } catch (SQLException e) {
                seen.add(e.getSQLState());
            }
            seen.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1000 ? "at once" : "after retries");
            try {
                s.executeQuery("SELECT 1").close(); // the transaction is aborted: 25P02
                seen.add("still usable");
            } catch (SQLException e) {
                seen.add(e.getSQLState());
            }
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT current_setting('transaction_read_only')")) {
                rs.next();
                seen.add(rs.getString(1));
            }
            c.rollback();
        }
        return seen;
    }

    @Test
    void aWriteRefusedInASessionMadeReadOnlyWithSqlIsNotRecovered() throws Exception {
        String[][] ways = {
                {"SET SESSION default_transaction_read_only = on", "", "on"},
                {"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "", "on"},
                {"SET TRANSACTION READ ONLY", "", "off"},
                {"options", "&options=-c%20default_transaction_read_only%3Don", "on"},
        };
        for (String[] way : ways) {
            List<Object> rawSeen = writeInASessionMadeReadOnly(raw() + way[1], way[0]);
            assertEquals(List.of(1, "25006", "at once", "25P02", way[2]), rawSeen, "the raw driver's behaviour: " + way[0]);
            long reconnects = ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum();
            assertEquals(rawSeen, writeInASessionMadeReadOnly(raw().replace("jdbc:", "jdbc:resilient:") + way[1], way[0]), way[0]);
            assertEquals(reconnects, ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum(),
                    "the connection was not replaced: " + way[0]);
        }
    }
}
