package dev.resilientjdbc.demo.legacy;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The class of the real driver's connection behind {@code c}, for the probes' WRAP lines. Asked by the
 * vendor classes: unwrap to an interface the connection implements is the receiver itself (a resilient
 * proxy stays a proxy), unwrap to a driver's class is the real object.
 */
public final class PhysicalClass {
    private static final String[] VENDOR_CLASSES = {"org.postgresql.jdbc.PgConnection", "org.sqlite.SQLiteConnection"};

    private PhysicalClass() {
    }

    public static String of(Connection c) throws SQLException {
        for (String name : VENDOR_CLASSES) {
            Class<?> type;
            try {
                type = Class.forName(name, false, PhysicalClass.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                continue;
            }
            if (c.isWrapperFor(type)) {
                return c.unwrap(type).getClass().getName();
            }
        }
        return c.getClass().getName();
    }
}
