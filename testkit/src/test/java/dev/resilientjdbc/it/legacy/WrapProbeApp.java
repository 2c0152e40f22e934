package dev.resilientjdbc.it.legacy;


import dev.resilientjdbc.demo.legacy.PhysicalClass;
import dev.resilientjdbc.proxy.ResilientProxy;
import org.sqlite.SQLiteDataSource;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

/**
 * Prints, for each way an app can get a connection, whether it came back as a resilient proxy
 * ({@code WRAP <way> proxy=<bool> physical=<class>}) and that it works. Args: pgUrl sqliteUrl;
 * a pgUrl of "-" skips PostgreSQL.
 */
public final class WrapProbeApp {
    private WrapProbeApp() {}

    public static void main(String[] args) throws Exception {
        String pg = args[0];
        String sqlite = args[1];
        if (!pg.equals("-")) {
            report("pg-drivermanager", DriverManager.getConnection(pg));
            Driver d = DriverManager.getDriver(pg);
            report("pg-driver", d.connect(pg, new Properties()));
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setUrl(pg);
            report("pg-datasource", ds.getConnection());
            report("pg-resilient-url", DriverManager.getConnection("jdbc:resilient:" + pg.substring("jdbc:".length())));
        }
        report("sqlite-drivermanager", DriverManager.getConnection(sqlite));
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl(sqlite);
        report("sqlite-datasource", ds.getConnection());
        report("sqlite-datasource-user", ((javax.sql.DataSource) ds).getConnection(null, null));
        System.out.println("DONE");
    }

    private static void report(String way, Connection c) throws Exception {
        try (c; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            System.out.println("WRAP " + way + " proxy=" + Proxy.isProxyClass(c.getClass())
                    + " physical=" + PhysicalClass.of(c) + " proxyOf=" + describe(c) + " value=" + rs.getInt(1));
        }
    }

    // Which resilient-jdbc made the proxy: the agent's shaded copy or the application's own driver.
    private static String describe(Connection c) {
        for (Class<?> i : c.getClass().getInterfaces()) {
            if (i.getSimpleName().equals("ResilientProxy")) {
                return i.getName();
            }
        }
        return "none";
    }
}
