package dev.resilientjdbc.control.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.IntSupplier;

/**
 * The SQL side of a {@link PgServer}: the start-up probe, creating the test database, plain client
 * connections, and the admin queries on backends (list, terminate). Admin queries go through one
 * lazily opened connection with its own {@code application_name}; it counts towards
 * {@code max_connections} and is never reported or terminated by those queries.
 *
 * <p>Not thread-safe on its own: the server calls it under its lock.
 */
final class PgAdmin {
    static final String USER = "postgres";
    private static final String ADMIN_APPLICATION_NAME = "resilient-testkit-admin";

    private final IntSupplier port;
    private final String database;
    private final org.postgresql.Driver pgDriver = new org.postgresql.Driver();
    private Connection admin;
    private boolean databaseCreated;

    PgAdmin(IntSupplier port, String database) {
        this.port = port;
        this.database = database;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<db>}. */
    String url(String db) {
        return "jdbc:postgresql://" + PgProcess.HOST + ":" + port.getAsInt() + "/" + db;
    }

    /** {@code SELECT 1} on a fresh session, in the test database once it exists; throws while the server does not answer. */
    void ping() throws SQLException {
        try (Connection probe = session(databaseCreated ? database : "postgres"); Statement st = probe.createStatement()) {
            st.execute("SELECT 1");
        }
    }

    /** Creates the test database unless this server has it already. */
    void createDatabaseIfMissing() throws SQLException {
        if (databaseCreated) {
            return;
        }
        try (Connection connection = session("postgres")) {
            boolean exists;
            try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement st = connection.createStatement()) {
                    st.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
                }
            }
            databaseCreated = true;
        }
    }

    /** A new plain pgjdbc connection as {@link #USER} to the test database, with extra driver properties. */
    Connection connect(Properties extra) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.putAll(extra);
        return pgDriver.connect(url(database), props);
    }

    /** {@code pg_terminate_backend(pid)}, waiting up to 5 s for the backend to exit. */
    boolean terminateBackend(int pid) {
        return withAdmin(connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /** Terminates every client backend but the admin session and waits for each to exit; how many there were. */
    int terminateAllClientBackends() {
        return withAdmin(connection -> {
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                         + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** PIDs of client backends, not counting the admin session. */
    List<Integer> clientBackendPids() {
        return withAdmin(connection -> {
            List<Integer> pids = new ArrayList<>();
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity"
                         + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid")) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
            return pids;
        });
    }

    /** Closes the admin session, if open (the server is stopping or has gone). */
    void close() {
        if (admin != null) {
            try {
                admin.close();
            } catch (SQLException ignored) {
                // the session is gone either way
            }
            admin = null;
        }
    }

    private Connection session(String db) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "10");
        props.setProperty("ApplicationName", ADMIN_APPLICATION_NAME);
        Connection connection = pgDriver.connect(url(db), props);
        if (connection == null) {
            throw new SQLException("the PostgreSQL driver rejected its own URL");
        }
        return connection;
    }

    private interface AdminWork<T> {
        T run(Connection admin) throws SQLException;
    }

    // One retry on a fresh admin session: the old one may have died in a restart this object did not see.
    private <T> T withAdmin(AdminWork<T> work) {
        SQLException first = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (admin == null || admin.isClosed()) {
                    admin = session(database);
                }
                return work.run(admin);
            } catch (SQLException e) {
                close();
                if (!isConnectionFailure(e)) {
                    throw new IllegalStateException("admin query on " + url(database) + " failed", e);
                }
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        throw new IllegalStateException("admin query on " + url(database) + " failed", first);
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }
}
