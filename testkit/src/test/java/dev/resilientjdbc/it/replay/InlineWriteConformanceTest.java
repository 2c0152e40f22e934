package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once autocommit writes sent with their marker write in one exchange (resilient.autocommit.exactlyOnce):
 * the application must not tell them from the raw driver's writes. The oracle is pgjdbc itself: the same program,
 * statements reused with new values, result calls after each write, errors and a query timeout, runs on a raw
 * connection and on a resilient one, on twin tables; every answer and the tables' contents must be equal. That the
 * inline form really ran is read off the marker table (only an inline write records its count there).
 */
@PgTest
@org.junit.jupiter.api.Timeout(120)
class InlineWriteConformanceTest {
    private static final String MARKERS = "inline_conf_marker";
    private static PgServer pg;

    @BeforeAll
    static void start(PgServer server) throws SQLException {
        pg = server;
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + MARKERS);
            for (String t : new String[]{"inline_raw", "inline_res"}) {
                s.execute("DROP TABLE IF EXISTS " + t);
                s.execute("CREATE TABLE " + t + "(id int PRIMARY KEY, v text, ts timestamptz, n numeric)");
            }
        }
    }

    private static String raw() {
        return pg.jdbcUrl() + "?user=postgres";
    }

    private static String resilient() {
        return raw().replace("jdbc:", "jdbc:resilient:") + "&resilient.autocommit.exactlyOnce=true&resilient.indoubt.markerTable=" + MARKERS;
    }

    @Test
    void inlineWritesAnswerAsTheRawDriver() throws Exception {
        List<Object> expected;
        List<Object> actual;
        try (Connection c = DriverManager.getConnection(raw())) {
            expected = program(c, "inline_raw", null);
        }
        try (Connection c = DriverManager.getConnection(resilient())) {
            actual = program(c, "inline_res", c);
        }
        assertEquals(expected.size(), actual.size(), () -> "raw " + expected + "\nresilient " + actual);
        for (int i = 0; i < expected.size(); i++) {
            int at = i;
            assertEquals(expected.get(i), actual.get(i), () -> "answer " + at + ": raw " + expected + "\nresilient " + actual);
        }
        assertEquals(contents("inline_raw"), contents("inline_res"));
    }

    /**
     * The program; {@code proof}: the resilient connection, whose writes must leave their counts in the marker table
     * (a write that silently took a transaction of its own would leave none).
     */
    private static List<Object> program(Connection c, String t, Connection proof) throws SQLException {
        List<Object> out = new ArrayList<>();
        Timestamp ts = Timestamp.valueOf("2026-12-06 10:00:00.123456");
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + t + " VALUES (?, ?, ?, ?)");
             PreparedStatement upd = c.prepareStatement("UPDATE " + t + " SET v = ? WHERE id <= ?");
             PreparedStatement slow = c.prepareStatement("UPDATE " + t + " SET v = v FROM pg_sleep(3) WHERE id = ?");
             Statement st = c.createStatement()) {
            for (int i = 1; i <= 5; i++) {
                ins.setInt(1, i);
                if (i % 2 == 0) {
                    ins.setNull(2, Types.VARCHAR);
                } else {
                    ins.setString(2, "v'" + i + "?"); // a quote and a question mark in a value
                }
                ins.setTimestamp(3, ts);
                ins.setBigDecimal(4, new BigDecimal("12345678901234567890.5").add(BigDecimal.valueOf(i)));
                out.add(ins.executeUpdate());
                out.add(ins.getUpdateCount());
                out.add(ins.getLargeUpdateCount());
                out.add(ins.getResultSet() == null);
                out.add(ins.getMoreResults());
                out.add(ins.getUpdateCount());
            }
            for (int limit : new int[]{0, 1, 3}) {
                upd.setString(1, "u" + limit);
                upd.setInt(2, limit);
                out.add(upd.executeUpdate());
                if (proof != null) {
                    assertEquals(limit, lastApplied(), "the write went inline, with its count in the marker row");
                }
            }
            upd.setInt(2, 2); // one parameter changed, the other kept
            out.add(upd.execute());
            out.add(upd.getUpdateCount());
            out.add(upd.executeLargeUpdate());
            out.add(st.executeUpdate("DELETE FROM " + t + " WHERE id = 5"));
            out.add(st.execute("UPDATE " + t + " SET v = 'z' WHERE id > 2"));
            out.add(st.getUpdateCount());
            out.add(st.getMoreResults());
            if (proof != null) {
                assertEquals(2, lastApplied(), "a plain statement's write went inline");
            }
            // Errors: a constraint (nothing applied), a type error (42804), parameters cleared (pgjdbc's own check).
            ins.setInt(1, 1);
            out.add(failure(ins::executeUpdate));
            ins.setString(1, "one");
            out.add(failure(ins::executeUpdate));
            ins.clearParameters();
            out.add(failure(ins::executeUpdate));
            // The application's query timeout holds on the inline form.
            slow.setQueryTimeout(1);
            slow.setInt(1, 1);
            long t0 = System.nanoTime();
            out.add(failure(slow::executeUpdate));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 2_500, () -> "the 1 s query timeout ended the write, took " + ms + " ms");
            // executeQuery of a write (a transaction of its own with exactly-once): its rows and its failure as raw's.
            try (PreparedStatement ret = c.prepareStatement("INSERT INTO " + t + " VALUES (?, ?, NULL, NULL) RETURNING id, v")) {
                ret.setFetchSize(1);
                ret.setInt(1, 7);
                ret.setString(2, "seven");
                try (ResultSet rs = ret.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getInt(1) + "/" + rs.getString(2));
                    }
                }
                out.add(failure(ret::executeQuery)); // the same key again
            }
            // And the statements go on as before.
            ins.setInt(1, 6);
            ins.setString(2, "six");
            ins.setTimestamp(3, null);
            ins.setNull(4, Types.NUMERIC);
            out.add(ins.executeUpdate());
        }
        return out;
    }

    private interface Call {
        Object run() throws SQLException;
    }

    private static String failure(Call call) {
        try {
            return "no failure: " + call.run();
        } catch (SQLException e) {
            return e.getSQLState() + " " + e.getMessage().replace("inline_res", "T").replace("inline_raw", "T");
        }
    }

    private static long lastApplied() throws SQLException {
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT applied FROM " + MARKERS + " ORDER BY at DESC LIMIT 1")) {
            assertTrue(rs.next(), "a marker row");
            long a = rs.getLong(1);
            return rs.wasNull() ? -1 : a;
        }
    }

    private static List<String> contents(String t) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(raw()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, v, ts, n FROM " + t + " ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
            }
        }
        assertTrue(rows.size() >= 4, "the program wrote rows");
        return rows;
    }
}
