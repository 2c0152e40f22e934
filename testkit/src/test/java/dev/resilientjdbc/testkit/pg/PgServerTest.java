package dev.resilientjdbc.testkit.pg;



import dev.resilientjdbc.control.pg.OsProcesses;
import dev.resilientjdbc.control.pg.PgServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Real PostgreSQL processes, real signals. Every test leaves the shared crash-safe server running (or the extension heals it). */
@PgTest
@PgSettings(crashSafe = true)
class PgServerTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void startsAndAnswersQueriesWithTheRequestedSettings(PgServer pg) throws Exception {
        assertEquals("jdbc:postgresql://127.0.0.1:" + pg.port() + "/test", pg.jdbcUrl());
        try (Connection connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
             Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database(), current_user, inet_server_port(),"
                     + " current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes'),"
                     + " current_setting('max_connections'), current_setting('server_version_num')::int")) {
            assertTrue(rs.next());
            assertEquals("test", rs.getString(1));
            assertEquals("postgres", rs.getString(2));
            assertEquals(pg.port(), rs.getInt(3));
            assertEquals("on", rs.getString(4));
            assertEquals("on", rs.getString(5));
            assertEquals("on", rs.getString(6));
            assertEquals("100", rs.getString(7));
            assertTrue(rs.getInt(8) >= 170000, "PostgreSQL 17 expected, got " + rs.getInt(8));
        }
        if (OsProcesses.effectiveUid().orElse(-1L) == 0) {
            // PostgreSQL will not run as root: the postmaster we hold must be the unprivileged one itself.
            assertEquals(List.of("Uid:", "65534", "65534", "65534", "65534"), statusUid(pg.postmasterPid()));
        }
    }

    @Test
    void terminateAllClientBackendsBreaksOpenConnectionsWith57P01(PgServer pg) throws Exception {
        try (Connection first = pg.connect(); Connection second = pg.connect()) {
            int firstPid = backendPid(first);
            int secondPid = backendPid(second);
            assertTrue(pg.clientBackendPids().containsAll(List.of(firstPid, secondPid)), () -> "listed: " + pg.clientBackendPids());

            int terminated = pg.terminateAllClientBackends();

            assertTrue(terminated >= 2, "terminated " + terminated);
            for (Connection victim : List.of(first, second)) {
                SQLException failure = assertThrows(SQLException.class, () -> backendPid(victim));
                assertEquals("57P01", failure.getSQLState(), failure::toString);
            }
            awaitTrue("no client backends left", () -> pg.clientBackendCount() == 0);
        }
        try (Connection fresh = pg.connect()) {
            assertTrue(pg.terminateBackend(backendPid(fresh)));
            assertEquals("57P01", assertThrows(SQLException.class, () -> backendPid(fresh)).getSQLState());
        }
    }

    @Test
    void fastStopThenStartKeepsPortAndCommittedRows(PgServer pg) throws Exception {
        int port = pg.port();
        execute(pg, "CREATE TABLE stop_rows (id int PRIMARY KEY)", "INSERT INTO stop_rows VALUES (1), (2), (3)");
        long oldPostmaster = pg.postmasterPid();

        pg.stopFast();

        assertFalse(pg.isRunning());
        assertFalse(running(oldPostmaster));
        assertThrows(IllegalStateException.class, pg::postmasterPid);
        assertThrows(SQLException.class, () -> pg.connect(quickTimeouts()));

        long begin = System.nanoTime();
        pg.start();
        long startMillis = (System.nanoTime() - begin) / 1_000_000;

        assertEquals(port, pg.port());
        assertNotEquals(oldPostmaster, pg.postmasterPid());
        assertEquals(3, count(pg, "stop_rows"));

        begin = System.nanoTime();
        pg.restart();
        long restartMillis = (System.nanoTime() - begin) / 1_000_000;
        assertEquals(port, pg.port());
        assertEquals(3, count(pg, "stop_rows"));
        System.out.printf("start after fast stop %d ms, restart (fast stop + start) %d ms%n", startMillis, restartMillis);
    }

    @Test
    void crashKillsEveryServerProcessAndRestartRecoversCommittedRows(PgServer pg) throws Exception {
        int port = pg.port();
        execute(pg, "CREATE TABLE crash_rows (id int PRIMARY KEY)");
        try (Connection connection = pg.connect(); PreparedStatement insert = connection.prepareStatement("INSERT INTO crash_rows VALUES (?)")) {
            for (int i = 1; i <= 100; i++) { // autocommit: each row acknowledged on its own
                insert.setInt(1, i);
                insert.executeUpdate();
            }
        }
        Connection inFlight = pg.connect();
        inFlight.setAutoCommit(false);
        try (Statement st = inFlight.createStatement()) {
            st.executeUpdate("INSERT INTO crash_rows SELECT generate_series(1001, 1050)"); // never committed
        }
        List<Long> serverPids = serverPids(pg);
        long logMark = Files.size(pg.logFile());
        assertTrue(serverPids.size() >= 5, "postmaster, auxiliaries and backends expected: " + serverPids);

        long begin = System.nanoTime();
        pg.crash();
        long crashMillis = (System.nanoTime() - begin) / 1_000_000;

        assertFalse(pg.isRunning());
        for (long pid : serverPids) {
            assertFalse(running(pid), "server process " + pid + " survived the crash");
        }
        assertFalse(Files.exists(pg.dataDir().resolve("postmaster.pid")), "stale postmaster.pid left behind");
        assertThrows(SQLException.class, () -> backendPid(inFlight));
        inFlight.close();

        begin = System.nanoTime();
        pg.start();
        long recoveryMillis = (System.nanoTime() - begin) / 1_000_000;

        assertEquals(port, pg.port());
        assertEquals(100, count(pg, "crash_rows"), "acknowledged commits must survive, the open transaction must not");
        assertTrue(logFrom(pg, logMark).contains("automatic recovery in progress"), "the restart should have run crash recovery");

        execute(pg, "INSERT INTO crash_rows VALUES (101)");
        begin = System.nanoTime();
        pg.crashRestart();
        long crashRestartMillis = (System.nanoTime() - begin) / 1_000_000;
        assertEquals(101, count(pg, "crash_rows"));
        System.out.printf("crash %d ms, start with crash recovery %d ms, crashRestart %d ms%n", crashMillis, recoveryMillis, crashRestartMillis);
    }

    @Test
    void pauseHangsNewConnectsWhileExistingSessionsWork(PgServer pg) throws Exception {
        try (Connection existing = pg.connect()) {
            pg.pause();
            try {
                assertTrue(pg.isPaused());
                int existingPid = backendPid(existing); // an existing backend keeps answering
                assertTrue(pg.clientBackendPids().contains(existingPid), "the admin connection keeps working too");
                long begin = System.nanoTime();
                assertThrows(SQLException.class, () -> pg.connect(quickTimeouts()).close());
                long waited = (System.nanoTime() - begin) / 1_000_000;
                assertTrue(waited >= 900 && waited < 5_000, "connect should hang until its 1 s timeout, took " + waited + " ms");
            } finally {
                pg.resume();
            }
            assertFalse(pg.isPaused());
            try (Connection after = pg.connect(quickTimeouts())) {
                backendPid(after);
            }
        }

        pg.pause(Duration.ofMillis(700));
        long begin = System.nanoTime();
        try (Connection waiting = pg.connect()) { // no timeout: served once the timer resumes the server
            backendPid(waiting);
        }
        long waited = (System.nanoTime() - begin) / 1_000_000;
        assertTrue(waited >= 500, "connect should have waited for the automatic resume, took " + waited + " ms");
        assertFalse(pg.isPaused());
    }

    @Test
    void closeLeavesNoProcessThreadOrDirectoryBehind() throws Exception {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        Path instanceDir;
        List<Long> serverPids;
        long begin = System.nanoTime();
        PgServer own = PgServer.builder().maxConnections(20).start();
        long startMillis = (System.nanoTime() - begin) / 1_000_000;
        Connection open = own.connect(); // still open when the server goes: close must not wait for it
        try {
            instanceDir = own.dataDir().getParent();
            backendPid(open);
            own.pause(Duration.ofMinutes(5)); // starts the resume timer thread, and close must cope with a paused server
            serverPids = serverPids(own);
            assertTrue(serverPids.size() >= 2, serverPids::toString);
            begin = System.nanoTime();
        } finally {
            own.close();
        }
        long closeMillis = (System.nanoTime() - begin) / 1_000_000;
        open.close();
        System.out.printf("fresh server: build + initdb + start + CREATE DATABASE %d ms (initdb %d ms); close %d ms%n",
                startMillis, own.initDbDuration().toMillis(), closeMillis);
        for (long pid : serverPids) {
            assertFalse(running(pid), "process " + pid + " outlived close()");
        }
        assertFalse(Files.exists(instanceDir), "instance directory left behind: " + instanceDir);
        List<String> leaked = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !threadsBefore.contains(t))
                .filter(t -> t.getName().startsWith("resilient-pg") || !t.isDaemon())
                .map(Thread::getName)
                .collect(Collectors.toList());
        assertEquals(List.of(), leaked, "threads left running after close()");
    }

    // ---------------------------------------------------------------- helpers

    private static Properties quickTimeouts() {
        Properties props = new Properties();
        props.setProperty("connectTimeout", "1");
        props.setProperty("socketTimeout", "1");
        return props;
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void execute(PgServer pg, String... sql) throws SQLException {
        try (Connection connection = pg.connect(); Statement st = connection.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static long count(PgServer pg, String table) throws SQLException {
        try (Connection connection = pg.connect(); Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Long> serverPids(PgServer pg) {
        List<Long> pids = new ArrayList<>();
        ProcessHandle postmaster = ProcessHandle.of(pg.postmasterPid()).orElseThrow();
        pids.add(postmaster.pid());
        postmaster.descendants().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    // ProcessHandle calls a zombie alive; orphans are reaped by PID 1 whenever it likes, and a zombie holds nothing.
    private static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.ISO_8859_1);
                return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
            } catch (IOException gone) {
                return false;
            }
        }
        return false;
    }

    private static List<String> statusUid(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .findFirst()
                .map(line -> List.of(line.trim().split("\\s+")))
                .orElseThrow();
    }

    private static String logFrom(PgServer pg, long offset) throws IOException {
        byte[] log = Files.readAllBytes(pg.logFile());
        return new String(log, (int) offset, log.length - (int) offset, StandardCharsets.UTF_8);
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
