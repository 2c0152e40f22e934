package dev.resilientjdbc.it.legacy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A legacy app that keeps one connection open for its whole life, as a pool's connection lives, and runs a
 * query for every {@code Q n} line on stdin, answering {@code ANSWER n OK value ms} or
 * {@code ANSWER n ERR sqlstate ms}. Args: url [{@code datasource}: the connection comes from a {@code PGSimpleDataSource}
 * bean set to that URL, as a Spring or Hikari {@code dataSourceClassName} application gets it].
 */
public final class OneConnectionApp {
    private OneConnectionApp() {}

    private static org.postgresql.ds.PGSimpleDataSource dataSource(String url) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(url);
        return ds;
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = args.length > 1 && args[1].equals("datasource") ? dataSource(args[0]).getConnection()
                : DriverManager.getConnection(args[0]);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("READY");
            for (String line = in.readLine(); line != null && line.startsWith("Q "); line = in.readLine()) {
                String n = line.substring(2).trim();
                long t0 = System.nanoTime();
                String answer;
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
                    rs.next();
                    answer = "OK " + rs.getInt(1);
                } catch (SQLException e) {
                    answer = "ERR " + e.getSQLState();
                }
                System.out.println("ANSWER " + n + " " + answer + " " + (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }
}
