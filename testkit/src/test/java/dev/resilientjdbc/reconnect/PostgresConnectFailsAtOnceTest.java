package dev.resilientjdbc.reconnect;

import dev.resilientjdbc.testkit.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connect that fails for a reason no retry can change (here the application demands SSL from a
 * server without it: pgjdbc's 08004) fails at once with the real driver's SQLState, instead of being
 * tried for the whole connect budget.
 */
@PgTest
class PostgresConnectFailsAtOnceTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @Test
    void aConnectRejectedByConfigurationIsNotRetried() {
        String url = pg.jdbcUrl() + "?user=postgres&sslmode=require&connectTimeout=5";
        SQLException raw = assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        assertEquals("08004", raw.getSQLState(), "the raw driver's answer: " + raw);
        long t0 = System.nanoTime();
        SQLException ours = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url.replace("jdbc:", "jdbc:resilient:")).close());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(raw.getSQLState(), ours.getSQLState(), ours.toString());
        assertTrue(millis < 2000, "failed at once, not after the connect budget: " + millis + " ms");
    }
}
