package dev.resilientjdbc.it.legacy;

import org.sqlite.BusyHandler;
import org.sqlite.Collation;
import org.sqlite.Function;
import org.sqlite.ProgressHandler;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * An unchanged application that registers an SQLite function, a collation, a busy handler and a
 * progress handler on a connection from DriverManager (sqlite-jdbc's static entry points demand its
 * own connection class), then uses them. Prints one line per check and DONE.
 */
public final class SqliteFunctionApp {
    private SqliteFunctionApp() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0]); Statement s = c.createStatement()) {
            System.out.println("PROXY " + Proxy.isProxyClass(c.getClass()));
            Function.create(c, "add_one", new Function() {
                @Override
                protected void xFunc() throws java.sql.SQLException {
                    result(value_int(0) + 1);
                }
            });
            try (ResultSet rs = s.executeQuery("SELECT add_one(41)")) {
                rs.next();
                System.out.println("FUNCTION " + rs.getInt(1));
            }
            Collation.create(c, "reverse", new Collation() {
                @Override
                protected int xCompare(String a, String b) {
                    return b.compareTo(a);
                }
            });
            s.execute("CREATE TABLE IF NOT EXISTS words(w TEXT)");
            s.execute("DELETE FROM words");
            s.execute("INSERT INTO words VALUES ('a'), ('b'), ('c')");
            StringBuilder order = new StringBuilder();
            try (ResultSet rs = s.executeQuery("SELECT w FROM words ORDER BY w COLLATE reverse")) {
                while (rs.next()) {
                    order.append(rs.getString(1));
                }
            }
            System.out.println("COLLATION " + order);
            BusyHandler.setHandler(c, new BusyHandler() {
                @Override
                protected int callback(int nbPrevInvok) {
                    return 0;
                }
            });
            BusyHandler.clearHandler(c);
            int[] progress = {0};
            ProgressHandler.setHandler(c, 1, new ProgressHandler() {
                @Override
                protected int progress() {
                    progress[0]++;
                    return 0;
                }
            });
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM words")) {
                rs.next();
            }
            ProgressHandler.clearHandler(c);
            System.out.println("PROGRESS " + (progress[0] > 0));
            Function.destroy(c, "add_one");
            System.out.println("DESTROYED");
        }
        System.out.println("DONE");
    }
}
