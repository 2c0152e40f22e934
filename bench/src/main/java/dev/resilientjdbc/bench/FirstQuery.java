package dev.resilientjdbc.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The measured program of {@link FirstConnectTime}: a short-lived process that opens one connection,
 * runs {@code select 1}, prints the answer and exits. JDK classes only, so that its class path is just
 * its own directory, the driver jars and nothing else.
 *
 * <p>Run: {@code java -cp bench/target/classes:<driver jars> dev.resilientjdbc.bench.FirstQuery <url>}.
 */
public final class FirstQuery {
    private FirstQuery() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FirstQuery <jdbc url>");
            System.exit(2);
        }
        try (Connection c = DriverManager.getConnection(args[0]);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            System.out.println(rs.getInt(1));
        }
    }
}
