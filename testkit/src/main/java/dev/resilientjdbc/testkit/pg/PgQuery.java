package dev.resilientjdbc.testkit.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One query on a connection of its own, for a test's look at the database from outside the driver under test (rows
 * that landed, a backend's state): the first column of the first row.
 */
public final class PgQuery {
    private PgQuery() {}

    /** As a long; 0 when there is no row. */
    public static long number(String url, String sql, Object... params) throws SQLException {
        String v = text(url, sql, params);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** As text; null when there is no row (or the value is NULL). */
    public static String text(String url, String sql, Object... params) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** number() above 0; false when the query fails, as it may while a test polls a server that is going away. */
    public static boolean any(String url, String sql, Object... params) {
        try {
            return number(url, sql, params) > 0;
        } catch (SQLException e) {
            return false;
        }
    }
}
