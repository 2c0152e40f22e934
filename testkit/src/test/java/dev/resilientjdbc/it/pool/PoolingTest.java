package dev.resilientjdbc.it.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.ResilientDataSource;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.proxy.ResilientProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded pool behind DriverManager, and resilient-jdbc under an application's own HikariCP, on real PostgreSQL. */
@PgTest
class PoolingTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @AfterEach
    void closePools() {
        ResilientDriver.targets().close();
        await(() -> pg.clientBackendCount() == 0, Duration.ofSeconds(10), "pool connections to close");
    }

    private static String pooled() {
        return pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres&resilient.pool=true&resilient.pool.maxSize=3"
                + "&resilient.pool.minIdle=1";
    }

    @Test
    void aPooledConnectionIsBackSoonAfterAMultiSecondOutage() throws Exception {
        try (Connection c = DriverManager.getConnection(pooled()); Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1").close();
            pg.stopFast();
            long[] doneAt = new long[1];
            Throwable[] failed = new Throwable[1];
            Thread app = new Thread(() -> {
                try (ResultSet rs = s.executeQuery("SELECT 42")) {
                    rs.next();
                    assertEquals(42, rs.getInt(1));
                    doneAt[0] = System.nanoTime();
                } catch (Throwable t) {
                    failed[0] = t;
                }
            }, "pooled-app");
            app.setDaemon(true);
            app.start();
            // Down long enough for HikariCP's own connection adder to back off to seconds (10 ms doubling up to 5 s).
            Thread.sleep(2600);
            long restarting = System.nanoTime(); // the server accepts before start() returns: the outage ends in between
            pg.start();
            long ready = System.nanoTime();
            app.join(30_000);
            // A hung or failed call leaves doneAt at 0: the lateness below would then be negative and pass.
            assertFalse(app.isAlive(), "the application's query still hangs 30 s after the server came back");
            assertEquals(null, failed[0]);
            assertTrue(doneAt[0] != 0, "the query never completed");
            long lateMs = (doneAt[0] - ready) / 1_000_000;
            // Answered before the server was back means the outage never reached the call: no fault, no test.
            assertTrue(doneAt[0] - restarting >= 0, "the query was answered " + (restarting - doneAt[0]) / 1_000_000
                    + " ms before the server was started again");
            // Our connect retries feed the pool (never more than connect.maxDelay apart): well under a second, where
            // HikariCP left to itself would next try some 2.5 s after the server is back.
            assertTrue(lateMs < 1000, "the application was back " + lateMs + " ms after the server");
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        await(condition, timeout, () -> what);
    }

    private static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what) {
        dev.resilientjdbc.testkit.Await.until(timeout, condition, what);
    }

    @Test
    void connectionPerRequestIsServedFromAPool() throws Exception {
        Set<Integer> pids = new HashSet<>();
        for (int request = 0; request < 200; request++) {
            try (Connection c = DriverManager.getConnection(pooled())) {
                assertTrue(c instanceof ResilientProxy);
                pids.add(pid(c));
            }
        }
        assertTrue(pids.size() <= 3, "at most maxSize physical connections served 200 requests: " + pids);
        assertTrue(pg.clientBackendCount() <= 3);
        assertEquals(1, ResilientDriver.targets().pools().size(), "one pool for one target");
    }

    @Test
    void returnedConnectionsComeBackWithDefaultSessionState() throws Exception {
        try (Connection c = DriverManager.getConnection(pooled())) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.commit();
        }
        for (int i = 0; i < 5; i++) {
            try (Connection c = DriverManager.getConnection(pooled())) {
                assertTrue(c.getAutoCommit());
                assertFalse(c.isReadOnly());
                assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
            }
        }
    }

    @Test
    void brokenPhysicalConnectionsAreEvictedNeverHandedOutAgain() throws Exception {
        Set<Integer> killed = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            try (Connection c = DriverManager.getConnection(pooled())) {
                killed.add(pid(c));
            }
        }
        assertTrue(pg.terminateAllClientBackends() >= killed.size(), "the pool's backends were terminated");
        Set<Integer> alive = new HashSet<>();
        for (int request = 0; request < 20; request++) {
            try (Connection c = DriverManager.getConnection(pooled()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "every request succeeds after the backends were killed");
                alive.add(pid(c));
            }
        }
        assertTrue(pg.clientBackendPids().containsAll(alive), "only live backends are in use: " + alive);
        assertTrue(alive.stream().noneMatch(killed::contains), "no terminated backend served a request: " + alive + " vs " + killed);
    }

    @Test
    void resilientUnderTheApplicationsOwnHikariPool() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres");
        config.setMaximumPoolSize(2);
        config.setPoolName("application-pool");
        try (HikariDataSource app = new HikariDataSource(config)) {
            try (Connection c = app.getConnection()) {
                assertTrue(c.isWrapperFor(ResilientProxy.class), "Hikari's proxy wraps ours");
                // HikariCP unwraps an interface its delegate implements to the delegate: our proxy, never past it.
                assertTrue(c.unwrap(Connection.class) instanceof ResilientProxy, "unwrap(Connection) through Hikari is our proxy");
                assertTrue(c.unwrap(org.postgresql.PGConnection.class) instanceof ResilientProxy, "and so is unwrap(PGConnection)");
                assertEquals("org.postgresql.jdbc.PgConnection", c.unwrap(org.postgresql.jdbc.PgConnection.class).getClass().getName(),
                        "a driver class reaches the real object");
                pid(c);
            }
            java.util.List<Integer> killed = pg.clientBackendPids();
            assertTrue(pg.terminateAllClientBackends() > 0, "the pool's backends were terminated");
            for (int i = 0; i < 10; i++) {
                try (Connection c = app.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 2")) {
                    rs.next();
                    assertEquals(2, rs.getInt(1));
                    assertFalse(killed.contains(pid(c)), "a new backend, never a terminated one");
                }
            }
        }
    }

    @Test
    void thirtyTwoThreadsThroughAServerRestartSeeNoErrorAndThePoolRecovers() throws Exception {
        String url = pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres&resilient.pool=true"
                + "&resilient.pool.maxSize=8&resilient.pool.minIdle=8&resilient.connect.maxDuration=20s";
        java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 32; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT 1")) {
                        rs.next();
                        ok.incrementAndGet();
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }
            }, "pool-client-" + t);
            th.setDaemon(true);
            th.start();
            threads.add(th);
        }
        await(() -> ok.get() > 500, Duration.ofSeconds(20), "requests before the restart");
        long before = ok.get();
        pg.restart();
        await(() -> ok.get() > before + 2000, Duration.ofSeconds(30), "requests after the restart");
        stop.set(true);
        for (Thread th : threads) {
            th.join(10_000);
            // A client hung in a call adds nothing to errors: it must have ended to count as having seen none.
            assertFalse(th.isAlive(), th.getName() + " still hangs in a call");
        }
        errors.forEach(Throwable::printStackTrace); // where it came from, in the test's output file
        assertEquals(java.util.List.of(), new java.util.ArrayList<>(errors), "no error reaches the application");
        HikariDataSource pool = ResilientDriver.targets().pools().values().iterator().next();
        await(() -> pool.getHikariPoolMXBean().getTotalConnections() == 8, Duration.ofSeconds(20), "the pool to refill to its size");
        assertEquals(8, pg.clientBackendCount(), "no leaked backends: exactly the pool's connections");
    }

    /** How an application ends what resilient-jdbc started (docs/POOLING.md). */
    enum Close { TARGETS, DEREGISTER }

    @ParameterizedTest
    @EnumSource(Close.class)
    void closingLeavesNoThreadOfOursAndNoConnectionOfOurs(Close how) throws Exception {
        // Everything a DriverManager or DataSource application can start: a pool for each, a direct connection,
        // and an incident being watched (the backends were killed and the connections reconnected).
        ResilientDataSource ds = new ResilientDataSource(pooled().replace("maxSize=3", "maxSize=2"));
        String direct = pg.jdbcUrl().replace("jdbc:", "jdbc:resilient:") + "?user=postgres";
        try (Connection plain = DriverManager.getConnection(direct)) {
            int plainPid;
            try (Connection c = DriverManager.getConnection(pooled()); Connection d = ds.getConnection()) {
                pid(c);
                pid(d);
                pid(plain);
                long reconnects = reconnects();
                assertTrue(pg.terminateAllClientBackends() >= 3, "the backends were terminated");
                pid(c);
                pid(d);
                plainPid = pid(plain);
                assertTrue(reconnects() > reconnects, "the connections reconnected: an incident is open");
            }
            assertEquals(2, ResilientDriver.targets().pools().size(), "a pool for DriverManager and one for the DataSource");
            assertTrue(ourThreads().stream().anyMatch(n -> n.startsWith("resilient-pool-")), "pool threads before: " + ourThreads());
            // The application's own connection is still open, so its incident is still being watched.
            assertTrue(ourThreads().contains("resilient-incidents"), "the incident watcher before: " + ourThreads());
            assertTrue(pg.clientBackendCount() > 1, "the pools hold connections besides the application's");
            try {
                if (how == Close.TARGETS) {
                    ResilientDriver.targets().close();
                } else {
                    ResilientDriver.deregister();
                }
                await(() -> ourThreads().isEmpty(), Duration.ofSeconds(10), () -> "every resilient thread to end: " + ourThreads());
                await(() -> pg.clientBackendCount() == 1, Duration.ofSeconds(10), "the pools' connections to close");
                assertEquals(java.util.List.of(plainPid), pg.clientBackendPids(), "only the application's own connection is left");
                assertTrue(ResilientDriver.targets().pools().isEmpty());
            } finally {
                ResilientDriver.register();
            }
        }
        await(() -> pg.clientBackendCount() == 0, Duration.ofSeconds(10), "the application's connection to close");
        // Closed, not broken: the next connection starts afresh.
        try (Connection c = DriverManager.getConnection(pooled())) {
            assertTrue(pid(c) > 0);
        }
    }

    private static long reconnects() {
        return ResilientDriver.targets().guards().stream().mapToLong(g -> g.stats().reconnects()).sum();
    }

    /** Live threads of resilient-jdbc (every one is named resilient-..., HikariCP's after our pool names). */
    private static java.util.List<String> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("resilient-")).sorted().toList();
    }
}
