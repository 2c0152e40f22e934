package dev.resilientjdbc.testkit.conformance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** A database both runs of a scenario connect to; {@link #reset()} gives each run the same empty state. */
public interface Target {

    /** Short name used in test names, e.g. {@code "postgresql"}. */
    String name();

    /** The real driver's URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}. */
    String rawUrl();

    /** Properties passed to {@code DriverManager.getConnection} in both runs. */
    default Properties properties() {
        return new Properties();
    }

    /** Brings the database back to the state the previous run started from; called before each run. */
    void reset() throws Exception;

    /** {@code jdbc:resilient:} followed by the raw URL without its {@code jdbc:}. */
    default String resilientUrl() {
        String raw = rawUrl();
        if (!raw.startsWith("jdbc:")) {
            throw new IllegalStateException("not a JDBC URL: " + raw);
        }
        return "jdbc:resilient:" + raw.substring("jdbc:".length());
    }

    /** Opens a connection through the raw or the resilient URL. */
    default Connection open(boolean proxied) throws SQLException {
        return DriverManager.getConnection(proxied ? resilientUrl() : rawUrl(), properties());
    }
}
