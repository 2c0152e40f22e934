package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Wrapper;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * unwrap and isWrapperFor on a connection the application closed answer as pgjdbc does (08003):
 * a closed connection never hands out the real one behind it — under a pool, one another borrower may hold.
 */
@PgTest
class ClosedConnectionUnwrapTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @AfterAll
    static void pools() {
        ResilientDriver.targets().close();
    }

    private static List<String> afterClose(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        c.close();
        List<String> seen = new ArrayList<>();
        for (Class<?> iface : new Class<?>[]{Connection.class, Wrapper.class, org.postgresql.PGConnection.class,
                org.postgresql.jdbc.PgConnection.class}) {
            seen.add("isWrapperFor " + iface.getSimpleName() + ": " + outcome(() -> c.isWrapperFor(iface)));
            seen.add("unwrap " + iface.getSimpleName() + ": " + outcome(() -> c.unwrap(iface) != null));
        }
        return seen;
    }

    private interface Call {
        Object run() throws SQLException;
    }

    private static String outcome(Call call) {
        try {
            return "returned " + call.run();
        } catch (SQLException e) {
            return "SQLException " + e.getSQLState();
        }
    }

    @Test
    void aClosedConnectionAnswersAsPgjdbcDoes() throws SQLException {
        String raw = pg.jdbcUrl() + "?user=postgres";
        List<String> expected = afterClose(raw);
        assertEquals("isWrapperFor Connection: SQLException 08003", expected.get(0), "the raw driver's answer");
        assertEquals(expected, afterClose(pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres"));
        assertEquals(expected, afterClose(pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:")
                + "?user=postgres&resilient.pool=true&resilient.pool.minIdle=0"));
    }
}
