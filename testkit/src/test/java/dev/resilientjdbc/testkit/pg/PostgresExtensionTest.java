package dev.resilientjdbc.testkit.pg;


import dev.resilientjdbc.control.pg.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One server per class, injected everywhere, and healed between tests: each test leaves the server
 * broken in a different way and the next one must find it working. The order is the point here.
 */
@PgTest
@PgSettings(maxConnections = 30, settings = "work_mem=7MB")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresExtensionTest {

    private static PgServer fromBeforeAll;
    private final PgServer fromConstructor;
    private PgServer fromBeforeEach;

    PostgresExtensionTest(PgServer pg) {
        this.fromConstructor = pg;
    }

    @BeforeAll
    static void rememberServer(PgServer pg) {
        fromBeforeAll = pg;
    }

    @BeforeEach
    void rememberServerEachTime(PgServer pg) {
        fromBeforeEach = pg;
    }

    @Test
    @Order(1)
    void injectsOneRunningServerConfiguredByPgSettings(PgServer pg) throws SQLException {
        assertSame(fromBeforeAll, pg);
        assertSame(fromConstructor, pg);
        assertSame(fromBeforeEach, pg);
        assertTrue(pg.isRunning());
        assertEquals("30", setting(pg, "max_connections"));
        assertEquals("7MB", setting(pg, "work_mem"));
        assertEquals("off", setting(pg, "fsync"), "not crash-safe unless asked");
        pg.pause();
    }

    @Test
    @Order(2)
    void findsServerResumedAfterAPause(PgServer pg) throws SQLException {
        assertSame(fromBeforeAll, pg);
        assertFalse(pg.isPaused());
        assertEquals("30", setting(pg, "max_connections"));
        pg.stopFast();
    }

    @Test
    @Order(3)
    void findsServerStartedAfterAStop(PgServer pg) throws SQLException {
        assertTrue(pg.isRunning());
        assertEquals("30", setting(pg, "max_connections"));
        pg.crash();
    }

    @Test
    @Order(4)
    void findsServerRecoveredAfterACrash(PgServer pg) throws SQLException {
        assertTrue(pg.isRunning());
        assertEquals("30", setting(pg, "max_connections"));
    }

    private static String setting(PgServer pg, String name) throws SQLException {
        Properties props = new Properties();
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "2"); // a server left paused would hang here, not fail
        try (Connection connection = pg.connect(props);
             Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
