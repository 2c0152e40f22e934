package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commit marker table with default options: created once, race-free, by many connections of
 * several drivers (class loaders: each has its own run id and its own "prepared" flag, as separate
 * JVMs would) opening at once on an empty database; and where it cannot be used (no CREATE right, a
 * read-only role, the transaction-id functions revoked as on a server older than 13), transactions
 * behave as on the raw driver with one WARNING naming the option and the SQL, never an error.
 */
@PgTest
@org.junit.jupiter.api.Timeout(180)
class CommitMarkerTableTest {
    private static PgServer pg;
    // Held here: a Logger only the LogManager refers to may be collected and made anew without our handler.
    private static final Logger REPLAY_LOG = Logger.getLogger("dev.resilientjdbc.replay");
    private final List<LogRecord> warnings = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start(PgServer server) throws SQLException {
        pg = server;
        admin("DROP TABLE IF EXISTS marker_t",
                "CREATE TABLE marker_t(k text PRIMARY KEY)",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON marker_t TO PUBLIC");
    }

    @BeforeEach
    void listen() {
        REPLAY_LOG.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        REPLAY_LOG.removeHandler(capture);
    }

    /** 16 connections of 4 drivers open at once on a database without the table: no error, one table, one row each. */
    @Test
    void sixteenConnectionsOfFourDriversOpeningAtOnceCreateOneTable() throws Exception {
        admin("DROP TABLE IF EXISTS race_marker");
        List<URL> pgjdbc = new ArrayList<>();
        List<URL> driver = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            URL url = Path.of(entry).toUri().toURL();
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("postgresql-") && name.endsWith(".jar")) {
                pgjdbc.add(url);
            } else if (entry.replace('\\', '/').endsWith("driver/target/classes")
                    || name.startsWith("resilient-jdbc-") && !name.endsWith("-tests.jar")
                    || name.matches("(failsafe|HikariCP|metrics-core|metrics-jmx|metrics-healthchecks|prometheus-metrics|slf4j-api).*\\.jar")) {
                driver.add(url);
            }
        }
        String url = "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database()
                + "?resilient.indoubt.markerTable=race_marker";
        ExecutorService threads = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "marker-race");
            t.setDaemon(true);
            return t;
        });
        List<URLClassLoader> loaders = new ArrayList<>();
        try (URLClassLoader container = new URLClassLoader("container", pgjdbc.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            CyclicBarrier together = new CyclicBarrier(16);
            List<Future<?>> opened = new ArrayList<>();
            for (int d = 0; d < 4; d++) {
                URLClassLoader app = new URLClassLoader("app-" + d, driver.toArray(new URL[0]), container);
                loaders.add(app);
                Driver resilient = (Driver) Class.forName("dev.resilientjdbc.ResilientDriver", true, app).getDeclaredConstructor().newInstance();
                for (int i = 0; i < 4; i++) {
                    String key = "race-" + d + "-" + i;
                    opened.add(threads.submit(() -> {
                        Properties info = new Properties();
                        info.setProperty("user", "postgres");
                        together.await(30, TimeUnit.SECONDS);
                        try (Connection c = resilient.connect(url, info); Statement s = c.createStatement()) {
                            c.setAutoCommit(false);
                            s.executeUpdate("INSERT INTO marker_t VALUES ('" + key + "')");
                            c.commit();
                        }
                        return null;
                    }));
                }
            }
            List<Throwable> errors = new ArrayList<>();
            for (Future<?> f : opened) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    errors.add(e.getCause());
                }
            }
            assertEquals(List.of(), errors, "no connection of the 16 failed");
        } finally {
            threads.shutdownNow();
            for (URLClassLoader l : loaders) {
                l.close();
            }
        }
        assertEquals(1, count("SELECT count(*) FROM pg_class WHERE relname = 'race_marker'"), "one table");
        assertEquals(16, count("SELECT count(*) FROM marker_t WHERE k LIKE 'race-%'"), "every transaction committed");
        long rows = count("SELECT count(*) FROM race_marker");
        assertTrue(rows >= 4 && rows <= 16, "at most one marker row per connection open at once (a closed one's goes to the next): " + rows);
        assertEquals(16, count("SELECT sum(sequence) FROM race_marker"), "every COMMIT wrote its marker");
        assertEquals(4, count("SELECT count(DISTINCT run) FROM race_marker"), "one run id per driver");
        assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList(), "no warning");
    }

    /**
     * A database dropped and made again at the same address while the application holds a connection (a test database
     * recreated, a restore): the driver's target outlives it and knew the marker table as there. The held connection's
     * next transaction reconnects to the new database, its COMMIT finds the table gone (42P01), and the table is made
     * again instead of the target falling back for good to the transaction id (which a crash makes worthless, so every
     * later lost COMMIT reply across a crash would be 08007): the transaction commits once, its marker row is in the new
     * table, and nothing is warned about.
     */
    @Test
    void aDatabaseMadeAgainAtTheSameAddressGetsItsMarkerTableBack() throws Exception {
        String db = "made_again";
        String url = "jdbc:resilient:postgresql://" + pg.host() + ":" + pg.port() + "/" + db + "?user=postgres";
        Runnable makeDatabase = () -> {
            try {
                admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "CREATE DATABASE " + db);
                try (Connection c = DriverManager.getConnection(pg.jdbcUrl().replace("/" + pg.database(), "/" + db) + "?user=postgres");
                     Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t(k text PRIMARY KEY)");
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        };
        makeDatabase.run();
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
            c.setAutoCommit(false);
            for (String k : new String[]{"before-1", "before-2"}) { // the second COMMIT updates the row known to be there
                ps.setString(1, k);
                ps.executeUpdate();
                c.commit();
            }
            assertEquals(1, countIn(db, "SELECT count(*) FROM resilient_commit_marker"), "the COMMITs wrote the connection's row");
            long reconnects = stats(db).reconnects();
            makeDatabase.run(); // ends the held connection's session, and the marker table goes with the database
            ps.setString(1, "after");
            ps.executeUpdate();
            c.commit();
            assertTrue(stats(db).reconnects() > reconnects, "the held connection's session was ended and replaced");
            assertEquals(1, countIn(db, "SELECT count(*) FROM pg_class WHERE relname = 'resilient_commit_marker'"),
                    "the marker table is back");
            long sequence = countIn(db, "SELECT max(sequence) FROM resilient_commit_marker");
            ps.setString(1, "after-2");
            ps.executeUpdate();
            c.commit();
            assertEquals(sequence + 1, countIn(db, "SELECT max(sequence) FROM resilient_commit_marker"), "the next COMMIT wrote it too");
        }
        assertEquals(2, countIn(db, "SELECT count(*) FROM t"), "each transaction after the database was made again committed once");
        assertEquals(1, countIn(db, "SELECT count(*) FROM resilient_commit_marker"), "one row: the connection's");
        assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList(), "no warning");
    }

    private static dev.resilientjdbc.retry.RetryStats stats(String db) {
        List<dev.resilientjdbc.retry.TargetGuard> g = dev.resilientjdbc.ResilientDriver.targets().matching(":" + pg.port() + "/" + db);
        assertEquals(1, g.size(), "one target for the database: " + g);
        return g.get(0).stats();
    }

    private static long countIn(String db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl().replace("/" + pg.database(), "/" + db) + "?user=postgres");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A role that may not create the table: transactions work, one WARNING for the target names the option and the SQL. */
    @Test
    void aRoleWithoutCreateRightGetsOneWarningAndWorkingTransactions() throws Exception {
        role("marker_nocreate", "");
        assertFallbackWorks("marker_nocreate", "nocreate_marker", "k-nocreate");
    }

    /**
     * A marker table made by an earlier version (no applied column): its owner's connections add the column and
     * send exactly-once autocommit writes inline (their counts land in it); a role that may only write rows keeps
     * the table as it is and such writes take their own transaction. Never an error, never a WARNING.
     */
    @Test
    void aMarkerTableOfAnEarlierVersionKeepsWorking() throws Exception {
        role("marker_writer", "");
        for (String table : new String[]{"old_marker_w", "old_marker_o"}) {
            admin("DROP TABLE IF EXISTS " + table,
                    "CREATE TABLE " + table + " (run uuid NOT NULL, slot integer NOT NULL, sequence bigint NOT NULL,"
                            + " at timestamptz NOT NULL, PRIMARY KEY (run, slot))",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO marker_writer");
        }
        String options = "&resilient.autocommit.exactlyOnce=true&resilient.indoubt.markerTable=";
        try (Connection c = DriverManager.getConnection(url("marker_writer", true, options + "old_marker_w"));
             PreparedStatement ps = c.prepareStatement("INSERT INTO marker_t VALUES (?)")) {
            for (int i = 0; i < 3; i++) {
                ps.setString(1, "k-writer-" + i);
                assertEquals(1, ps.executeUpdate());
            }
        }
        assertEquals(0, count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'old_marker_w'::regclass AND attname = 'applied'"),
                "a role that does not own the table leaves it as it is");
        assertEquals(0, count("SELECT count(*) FROM marker_t WHERE k LIKE 'k-writer-%'") - 3, "every write committed");
        try (Connection c = DriverManager.getConnection(url("postgres", true, options + "old_marker_o"));
             PreparedStatement ps = c.prepareStatement("DELETE FROM marker_t WHERE k LIKE ?")) {
            ps.setString(1, "k-writer-%");
            assertEquals(3, ps.executeUpdate()); // the first write of the connection's row: its own transaction
            ps.setString(1, "k-writer-nothing%");
            assertEquals(0, ps.executeUpdate());
        }
        assertEquals(1, count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'old_marker_o'::regclass AND attname = 'applied'"),
                "the owner added the column");
        assertEquals(1, count("SELECT count(*) FROM old_marker_o WHERE applied = 0"), "the second delete went inline, with its count");
        assertEquals(0, count("SELECT count(*) FROM marker_t WHERE k LIKE 'k-writer-%'"));
        assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList(), "no warning");
    }

    /** A read-only role: the table cannot be created; reads work, a write fails as it does on the raw driver. */
    @Test
    void aReadOnlyRoleKeepsTheRawBehaviour() throws Exception {
        role("marker_ro", "ALTER ROLE marker_ro SET default_transaction_read_only = on");
        String table = "ro_marker";
        admin("DROP TABLE IF EXISTS " + table);
        String options = "&resilient.indoubt.markerTable=" + table;
        SQLException rawFailure = writeFails(DriverManager.getConnection(url("marker_ro", false, "")), "k-ro");
        SQLException ourFailure = writeFails(DriverManager.getConnection(url("marker_ro", true, options)), "k-ro");
        assertEquals(rawFailure.getSQLState(), ourFailure.getSQLState(), "the raw driver's answer to a write: " + ourFailure);
        try (Connection c = DriverManager.getConnection(url("marker_ro", true, options)); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM marker_t")) {
                assertTrue(rs.next());
            }
            c.commit();
        }
        assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'"), "nothing created");
    }

    /**
     * Issue 26: a server where the transaction-id functions cannot be called (PostgreSQL before 13,
     * simulated by revoking EXECUTE from PUBLIC) keeps transactions working, with the marker off and on.
     */
    @Test
    void revokedTransactionIdFunctionsKeepTransactionsWorking() throws Exception {
        role("marker_old", "");
        admin("REVOKE EXECUTE ON FUNCTION pg_current_xact_id_if_assigned() FROM PUBLIC",
                "REVOKE EXECUTE ON FUNCTION pg_xact_status(xid8) FROM PUBLIC");
        try {
            for (boolean marker : new boolean[]{false, true}) {
                String key = "k-old-" + marker;
                try (Connection c = DriverManager.getConnection(url("marker_old", true,
                        "&resilient.indoubt.marker=" + marker + "&resilient.autocommit.exactlyOnce=true"));
                     Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    s.executeUpdate("INSERT INTO marker_t VALUES ('" + key + "')");
                    c.commit();
                    c.setAutoCommit(true);
                    s.executeUpdate("INSERT INTO marker_t VALUES ('" + key + "-autocommit')");
                }
                assertEquals(2, count("SELECT count(*) FROM marker_t WHERE k LIKE '" + key + "%'"), "both writes committed, marker=" + marker);
            }
            // Marker off and no transaction-id evidence: a lost COMMIT reply can only be 08007, said once (the
            // target with the marker on warns, once, that this role cannot create the marker table).
            List<String> said = warnings.stream().map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters()))
                    .filter(m -> m.contains("has no evidence")).toList();
            assertEquals(1, said.size(), "one warning, for the target with the marker off: " + said);
            assertTrue(said.get(0).contains("PostgreSQL 13") && said.get(0).contains("08007")
                    && said.get(0).contains("resilient.indoubt.marker=true"), said.get(0));
        } finally {
            admin("GRANT EXECUTE ON FUNCTION pg_current_xact_id_if_assigned() TO PUBLIC",
                    "GRANT EXECUTE ON FUNCTION pg_xact_status(xid8) TO PUBLIC");
        }
    }

    private void assertFallbackWorks(String user, String table, String key) throws Exception {
        admin("DROP TABLE IF EXISTS " + table);
        String options = "&resilient.indoubt.markerTable=" + table + "&resilient.autocommit.exactlyOnce=true";
        for (int i = 0; i < 2; i++) {
            // The second connect sets one more option: another recipe of the same target, which shares its in-doubt support.
            String more = i == 0 ? "" : "&resilient.replay.maxBytes=1000000";
            try (Connection c = DriverManager.getConnection(url(user, true, options + more)); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO marker_t VALUES ('" + key + i + "')");
                c.commit();
                c.setAutoCommit(true);
                s.executeUpdate("INSERT INTO marker_t VALUES ('" + key + i + "-autocommit')");
            }
        }
        assertEquals(4, count("SELECT count(*) FROM marker_t WHERE k LIKE '" + key + "%'"), "every write committed");
        assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'"), "nothing created");
        List<String> said = warnings.stream().map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())).toList();
        assertEquals(1, said.size(), "one warning for the target: " + said);
        assertTrue(said.get(0).contains("resilient.indoubt.marker=false") && said.get(0).contains("CREATE TABLE IF NOT EXISTS " + table),
                "names the option and the SQL: " + said.get(0));
    }

    private static SQLException writeFails(Connection c, String key) throws SQLException {
        try (c; Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                s.executeUpdate("INSERT INTO marker_t VALUES ('" + key + "')");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                return e;
            }
        }
        throw new AssertionError("a read-only role wrote");
    }

    private static void role(String name, String extra) throws SQLException {
        admin("DROP ROLE IF EXISTS " + name, "CREATE ROLE " + name + " LOGIN");
        if (!extra.isEmpty()) {
            admin(extra);
        }
    }

    private static String url(String user, boolean resilient, String options) {
        return (resilient ? pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") : pg.jdbcUrl()) + "?user=" + user + options;
    }

    private static void admin(String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres"); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
