package dev.resilientjdbc.it.legacy;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Connects to each URL given and reports, one stdout line each, {@code OK <n> proxy=<bool> value=1}
 * (whether the connection is a resilient proxy, and that it answers) or {@code ERR <n> <SQLState> <message>};
 * then {@code DONE}. A failed connect is reported, not thrown, so one child can show both outcomes.
 */
public final class ConnectProbeApp {
    private ConnectProbeApp() {}

    public static void main(String[] args) {
        for (int i = 0; i < args.length; i++) {
            try (Connection c = DriverManager.getConnection(args[i]);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                System.out.println("OK " + i + " proxy=" + Proxy.isProxyClass(c.getClass()) + " value=" + rs.getInt(1));
            } catch (SQLException e) {
                System.out.println("ERR " + i + " " + e.getSQLState() + " " + e.getMessage());
            }
        }
        System.out.println("DONE");
    }
}
