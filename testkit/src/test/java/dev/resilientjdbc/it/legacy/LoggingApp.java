package dev.resilientjdbc.it.legacy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * An application that opens a few connections with {@code DriverManager} and, given {@code slf4j}, logs one
 * line through its own SLF4J (its class path then has slf4j-api and a provider). Prints {@code DONE} and exits.
 * Args: url (slf4j|plain).
 */
public final class LoggingApp {
    private LoggingApp() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        if (args[1].equals("slf4j")) {
            OwnSlf4j.log("the application logs through its own provider");
        }
        for (int i = 0; i < 3; i++) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
            }
        }
        if (args[1].equals("slf4j")) {
            OwnSlf4j.log("the application is done");
        }
        System.out.println("DONE");
    }

    /** Loaded only when the application has SLF4J on its class path. */
    private static final class OwnSlf4j {
        static void log(String message) {
            org.slf4j.LoggerFactory.getLogger("app").info(message);
        }
    }
}
