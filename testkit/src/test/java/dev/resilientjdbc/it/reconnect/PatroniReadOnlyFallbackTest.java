package dev.resilientjdbc.it.reconnect;

import static dev.resilientjdbc.it.reconnect.PatroniTests.user;

import dev.resilientjdbc.control.ha.PatroniCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * resilient.readOnlyFallback on a real 3-member Patroni cluster (asynchronous mode, ttl/loop_wait/retry_timeout
 * 10/2/4): the leader is killed (kill -9 of Patroni, the postmaster and its backends) and, until Patroni elects
 * another, no member is primary. Through the multi-host URL with {@code targetServerType=primary}, raw pgjdbc
 * fails every read of that gap; ours answers them from a replica, and a write issued in the gap waits (within the
 * default connect budget, 60 s for a URL naming several hosts) and lands on the new leader. Needs Debian's patroni, etcd-server and postgresql-15
 * (.ci/run installs them); outside CI it skips without them, saying so; in CI their absence fails the test.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatroniReadOnlyFallbackTest {
    private static PatroniCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = PatroniTests.start(false, false, "rf");
        try (Connection c = DriverManager.getConnection(cluster.multiHostUrl("rf"), user()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS rf(id int PRIMARY KEY, v int)");
            s.execute("INSERT INTO rf VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET v = 0");
        }
        cluster.awaitHealthy(Duration.ofSeconds(60));
        // Every replica has the row before the leader dies.
        for (PatroniCluster.Member m : cluster.members()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Connection c = DriverManager.getConnection(m.jdbcUrl("rf"), user()); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM rf WHERE id = 1")) {
                    if (rs.next() && rs.getInt(1) == 1) {
                        break;
                    }
                } catch (SQLException notYet) {
                    // the database itself may not have reached this replica yet
                }
                assertTrue(System.nanoTime() < deadline, "the row reached " + m);
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String ours() {
        return cluster.multiHostUrl("rf").replace("jdbc:", "jdbc:resilient:") + "&resilient.readOnlyFallback=true";
    }

    /** v of row 1, and whether a standby answered. */
    private static boolean[] readOn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v, pg_is_in_recovery() FROM rf WHERE id = 1")) {
            assertTrue(rs.next());
            return new boolean[]{rs.getInt(1) >= 0, rs.getBoolean(2)};
        }
    }

    @BeforeEach
    void healthy() throws Exception {
        cluster.heal();
    }

    @Test
    @Order(1)
    void readsAreAnsweredByAReplicaWhileNoLeaderExistsAndAWriteLandsOnTheNewLeader() throws Exception {
        try (Connection reader = DriverManager.getConnection(ours(), user());
             Connection writer = DriverManager.getConnection(ours(), user())) {
            Connection[] raw = {DriverManager.getConnection(cluster.multiHostUrl("rf"), user())};
            assertFalse(readOn(reader)[1], "healthy: on the leader");
            assertFalse(readOn(writer)[1]);
            PatroniCluster.Member old = cluster.killLeader();
            long killedAt = System.nanoTime();
            // The writer meets the dead leader with a read first (a write sent into a dead connection would be in doubt,
            // 08007, which is not what this test is about), then writes: that must wait for the new leader.
            CompletableFuture<long[]> write = CompletableFuture.supplyAsync(() -> {
                try (Statement s = writer.createStatement()) {
                    readOn(writer);
                    long t0 = System.nanoTime();
                    int n = s.executeUpdate("UPDATE rf SET v = v + 1 WHERE id = 1");
                    return new long[]{n, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)};
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            int rounds = 0;
            int rawErrors = 0;
            int oursErrors = 0;
            int oursFromReplica = 0;
            long gapMs = -1;
            int afterGap = 0;
            int rawErrorsAfterGap = 0;
            boolean oursBackOnLeader = false;
            // Until there is a new leader, and then until ours reads from it again (40 rounds at least, 30 s at most).
            while (gapMs < 0 || afterGap < 40 || !oursBackOnLeader && System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(60)) {
                rounds++;
                if (gapMs >= 0) {
                    afterGap++;
                }
                try {
                    readOn(raw[0]);
                } catch (SQLException e) {
                    rawErrors++;
                    if (gapMs >= 0) {
                        rawErrorsAfterGap++;
                    }
                    try {
                        raw[0].close();
                        raw[0] = DriverManager.getConnection(cluster.multiHostUrl("rf"), user());
                    } catch (SQLException stillNone) {
                        // no primary: the raw driver cannot even connect
                    }
                }
                try {
                    if (readOn(reader)[1]) {
                        oursFromReplica++;
                    } else if (gapMs >= 0) {
                        oursBackOnLeader = true;
                    }
                } catch (SQLException e) {
                    oursErrors++;
                    System.out.println("patroni readOnlyFallback: ours failed a read: " + e.getSQLState() + " " + e.getMessage());
                }
                if (gapMs < 0 && cluster.leader().filter(l -> l != old).isPresent()) {
                    gapMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                }
                Thread.sleep(50);
                assertTrue(gapMs >= 0 || System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(60), "a new leader within 60 s");
            }
            long[] w = write.get(60, TimeUnit.SECONDS);
            raw[0].close();
            System.out.printf("patroni readOnlyFallback: leader killed, new leader after %d ms; %d rounds of reads (%d of them"
                    + " after the new leader): raw pgjdbc (targetServerType=primary) %d errors (%d after), resilient-jdbc %d errors"
                    + " (%d answered by a replica); a write issued in the gap took %d ms and updated %d row%n", gapMs, rounds, afterGap,
                    rawErrors, rawErrorsAfterGap, oursErrors, oursFromReplica, w[1], w[0]);
            assertTrue(rawErrors > 0, "the fault hit: the raw driver failed reads in the gap");
            assertEquals(0, oursErrors, "no read of ours failed");
            assertTrue(oursFromReplica > 0, "a replica answered while no leader existed");
            assertTrue(oursBackOnLeader, "the reader moved back to the new leader");
            assertEquals(1, w[0], "the write ran once");
            assertFalse(readOn(writer)[1], "the writer is on the new leader");
            PatroniCluster.Member leader = cluster.awaitLeader(Duration.ofSeconds(10));
            try (Connection c = DriverManager.getConnection(leader.jdbcUrl("rf"), user()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v FROM rf WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "applied once, on the new leader");
            }
        }
    }

    /** Whether every member answers and is in recovery: the leader has demoted itself. */
    private static boolean noMemberIsPrimary() {
        for (PatroniCluster.Member m : cluster.members()) {
            try (Connection c = DriverManager.getConnection(m.jdbcUrl("rf"), user()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            } catch (SQLException restarting) {
                return false;
            }
        }
        return true;
    }

    @Test
    @Order(2)
    void withTheStoreFrozenNoMemberIsPrimaryReadsAreServedAndAWriteFailsClearly() throws Exception {
        String url = ours() + "&resilient.connect.maxDuration=5s";
        try (Connection reader = DriverManager.getConnection(url, user());
             Connection writer = DriverManager.getConnection(url, user())) {
            reader.setReadOnly(true);
            assertFalse(readOn(reader)[1], "healthy: on the leader");
            assertFalse(readOn(writer)[1]);
            long frozenAt = System.nanoTime();
            cluster.freezeStore();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!noMemberIsPrimary()) {
                    assertTrue(System.nanoTime() < deadline, "the leader demotes itself without its store\n" + cluster.list());
                    Thread.sleep(100);
                }
                long demotedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
                int rounds = 20;
                int rawErrors = 0;
                int oursErrors = 0;
                int fromReplica = 0;
                for (int i = 0; i < rounds; i++) {
                    try (Connection raw = DriverManager.getConnection(cluster.multiHostUrl("rf"), user())) {
                        readOn(raw);
                    } catch (SQLException e) {
                        rawErrors++;
                    }
                    for (Connection c : new Connection[]{reader, writer}) {
                        try {
                            if (readOn(c)[1]) {
                                fromReplica++;
                            }
                        } catch (SQLException e) {
                            oursErrors++;
                            System.out.println("patroni readOnlyFallback: ours failed a read: " + e.getSQLState() + " " + e.getMessage());
                        }
                    }
                }
                long w0 = System.nanoTime();
                SQLException write = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> {
                    try (Statement s = writer.createStatement()) {
                        s.executeUpdate("UPDATE rf SET v = v + 1 WHERE id = 1");
                    }
                });
                long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - w0);
                System.out.printf("patroni readOnlyFallback: store frozen, every member a replica after %d ms; %d rounds of reads:"
                        + " raw pgjdbc (targetServerType=primary, new connection each) %d errors, resilient-jdbc %d errors on 2"
                        + " connections (%d answered by a replica); a write failed after %d ms: %s %s%n", demotedMs, rounds, rawErrors,
                        oursErrors, fromReplica, writeMs, write.getSQLState(), write.getMessage());
                assertEquals(rounds, rawErrors, "the raw driver finds no primary");
                assertEquals(0, oursErrors);
                assertEquals(2 * rounds, fromReplica);
                assertEquals("08001", write.getSQLState());
                assertTrue(write.getMessage().contains("no primary reachable among") && write.getMessage().contains("resilient.readOnlyFallback"),
                        write.getMessage());
                assertTrue(writeMs >= 4800 && writeMs < 15_000, "within the 5 s budget: " + writeMs + " ms");
            } finally {
                cluster.thawStore();
            }
            PatroniCluster.Member leader = cluster.awaitLeader(Duration.ofSeconds(60));
            long w0 = System.nanoTime();
            try (Statement s = writer.createStatement()) {
                int n = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (n < 0) { // Patroni's REST may call the leader primary a moment before PostgreSQL takes writes
                    try {
                        n = s.executeUpdate("UPDATE rf SET v = v + 1 WHERE id = 1");
                    } catch (SQLException notYet) {
                        assertEquals("08001", notYet.getSQLState(), notYet.getMessage());
                        assertTrue(System.nanoTime() < deadline, "a write works again once there is a leader");
                    }
                }
                assertEquals(1, n);
            }
            System.out.printf("patroni readOnlyFallback: store thawed, leader %s, the next write took %d ms%n", leader,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - w0));
            assertFalse(readOn(writer)[1], "the writer is on the leader");
        }
    }
}
