package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 27: a COPY through the real connection's own API (CopyManager) cannot be recorded, so a
 * transaction that ran one is never replayed: a replay would commit the recorded statements without
 * the copied rows. Its connection lost, commit() and rollback() answer as on the raw driver.
 */
@PgTest
class PostgresCopyOutOfSightTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @BeforeEach
    void clean() throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS copied_t");
            s.execute("CREATE TABLE copied_t(k text PRIMARY KEY)");
        }
    }

    private static String raw() {
        return pg.jdbcUrl() + "?user=postgres&connectTimeout=5&socketTimeout=30";
    }

    private static long rows() throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM copied_t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What the application sees: commit's SQLState, then rollback's ("ok" when it returned). */
    private static java.util.List<String> copyThenLoseTheConnectionThenCommit(String url, boolean viaCast) throws Exception {
        java.util.List<String> seen = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            CopyManager copy = viaCast ? ((PGConnection) c).getCopyAPI() : new CopyManager(c.unwrap(BaseConnection.class));
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO copied_t VALUES ('inserted')");
            assertEquals(2, copy.copyIn("COPY copied_t FROM STDIN", new StringReader("copied-1\ncopied-2\n")));
            assertTrue(pg.terminateAllClientBackends() > 0, "the fault hit: the application's backend was terminated");
            // The raw driver's loss, not a replay that would commit the insert without the copied rows.
            SQLException lost = assertThrows(SQLException.class, c::commit, "the transaction was lost with its connection");
            seen.add("commit " + lost.getSQLState());
            try {
                c.rollback();
                seen.add("rollback ok");
            } catch (SQLException e) {
                seen.add("rollback " + e.getSQLState());
            }
        }
        assertEquals(0, rows(), "nothing of the transaction committed: neither the insert nor the copied rows");
        return seen;
    }

    private static void asRaw(boolean viaCast) throws Exception {
        java.util.List<String> raw = copyThenLoseTheConnectionThenCommit(raw(), viaCast);
        assertEquals(raw, copyThenLoseTheConnectionThenCommit(raw().replace("jdbc:", "jdbc:resilient:"), viaCast));
    }

    @Test
    void aTransactionWithACopyThroughUnwrapIsNotReplayed() throws Exception {
        asRaw(false);
    }

    @Test
    void aTransactionWithACopyThroughGetCopyApiIsNotReplayed() throws Exception {
        asRaw(true);
    }
}
