package dev.resilientjdbc.it.legacy;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * An application as a lib folder runs it (DBeaver, Tomcat lib/, a -cp script): JDK classes only, the driver
 * jars beside it. It writes and reads a little through {@code DriverManager} and prints each answer; given a
 * port, it then prints the {@code /metrics} lines of the driver's HTTP endpoint that name a call timer.
 * Args: url [port].
 */
public final class LibFolderApp {
    private LibFolderApp() {}

    public static void main(String[] args) throws Exception {
        for (int round = 0; round < 2; round++) {
            try (Connection c = DriverManager.getConnection(args[0]); Statement s = c.createStatement()) {
                s.executeUpdate("create table if not exists t(id integer primary key, v text)");
                s.executeUpdate("insert into t(v) values ('round " + round + "')");
                try (ResultSet rs = s.executeQuery("select 1, count(*), max(v) from t")) {
                    rs.next();
                    System.out.println("ROW " + rs.getInt(1) + " " + rs.getInt(2) + " " + rs.getString(3));
                }
            }
        }
        if (args.length > 1) {
            HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:" + args[1] + "/metrics").toURL().openConnection();
            try (InputStream in = http.getInputStream()) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .filter(l -> l.startsWith("resilient_") && l.contains("_calls_query_count"))
                        .forEach(l -> System.out.println("METRIC " + l));
            }
        }
        System.out.println("DONE");
    }
}
