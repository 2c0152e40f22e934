package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.retry.TargetGuard;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18, point 1 (in part): every backend of a target is terminated under 12 open connections; all
 * 12 reconnect. An operator reads one INFO line for the incident, not 12; each reconnect is still
 * there at FINE.
 */
@PgTest
class ReconnectLogLinesTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @Test
    void anOutageOfManyConnectionsIsOneInfoLine() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.resilientjdbc");
        Level before = logger.getLevel();
        logger.setLevel(Level.FINE);
        logger.addHandler(handler);
        // A target of its own (its own database), so that no other test's reconnects fall into this incident.
        try (Connection admin = pg.connect(); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS reconnect_log_lines");
            s.execute("CREATE DATABASE reconnect_log_lines");
        }
        String url = "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/reconnect_log_lines?user=postgres";
        List<Connection> open = new ArrayList<>();
        List<LogRecord> over;
        try {
            for (int i = 0; i < 12; i++) {
                open.add(DriverManager.getConnection(url));
            }
            for (Connection c : open) {
                query(c);
            }
            records.clear();
            assertTrue(pg.terminateAllClientBackends() >= 12, "every backend was terminated");
            for (Connection c : open) {
                query(c);
            }
            long info = records.stream().filter(r -> r.getLevel() == Level.INFO && r.getMessage().contains("being reconnected")).count();
            long fine = records.stream().filter(r -> r.getLevel() == Level.FINE && r.getMessage().contains("reconnected a connection")).count();
            assertEquals(1, info, "one INFO line for the incident");
            LogRecord begin = records.stream().filter(r -> r.getLevel() == Level.INFO && r.getMessage().contains("being reconnected"))
                    .findFirst().orElseThrow();
            assertEquals("CONNECTION, SQLState 57P01", begin.getParameters()[1], "it says what failed: a terminated backend");
            assertEquals(11, fine, "the other reconnects at FINE");
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("resilient-incidents")),
                    "a thread watches for the end of the incident");

            // A quiet minute later the incident is over: one more line, with what it cost.
            TargetGuard guard = ResilientDriver.targets().matching("/reconnect_log_lines").get(0);
            assertTrue(guard.incidentOverIfQuiet(System.nanoTime(), false), "not over while reconnects are recent");
            assertFalse(guard.incidentOverIfQuiet(System.nanoTime() + TargetGuard.INCIDENT_QUIET_NANOS, false));
            over = records.stream().filter(r -> r.getLevel() == Level.INFO && r.getMessage().contains("that began at")).toList();
            assertEquals(1, over.size(), "one line when it is over");
            assertEquals(12L, over.get(0).getParameters()[2], "all 12 reconnects belong to this incident");
            long longest = (Long) over.get(0).getParameters()[6];
            long all = (Long) over.get(0).getParameters()[7];
            // 12 calls each waited for a reconnect: real time, the longest no more than the sum.
            assertTrue(longest > 0 && longest <= all && all < 60_000, "how long the application waited: " + longest + " / " + all);
            assertTrue(records.stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue()).count() <= 3,
                    "an incident of 12 connections costs at most 3 lines at INFO or above");

            // A second incident, and the application closes all its connections: nothing is left to reconnect, so
            // the incident ends at once with its line, and the watching thread with it.
            records.clear();
            assertTrue(pg.terminateAllClientBackends() >= 12);
            for (Connection c : open) {
                query(c);
            }
        } finally {
            for (Connection c : open) {
                c.close();
            }
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
        over = records.stream().filter(r -> r.getLevel() == Level.INFO && r.getMessage().contains("that began at")).toList();
        assertEquals(1, over.size(), "the second incident ended as its last connection closed");
        assertEquals(12L, over.get(0).getParameters()[2]);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("resilient-incidents") && t.isAlive()),
                "no thread of ours outlives the application's connections");
    }

    private static void query(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }
}
