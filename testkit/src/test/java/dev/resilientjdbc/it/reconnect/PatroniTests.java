package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.control.ha.PatroniCluster;
import org.junit.jupiter.api.Assumptions;

import java.time.Duration;
import java.util.Properties;

/** What the Patroni test classes share: their cluster, and how they connect to it. */
final class PatroniTests {
    private PatroniTests() {}

    /**
     * A 3-member cluster with {@code databases} created and on every member (pgjdbc asks every host of a
     * multi-host URL, replicas too: one still replaying CREATE DATABASE answers 3D000). Outside CI the calling
     * class is skipped, saying why, when Debian's packages are missing; in CI their absence fails it.
     */
    static PatroniCluster start(boolean synchronous, boolean withHaproxy, String... databases) throws Exception {
        String missing = PatroniCluster.missing();
        Assumptions.assumeTrue(missing == null || "true".equals(System.getenv("CI")),
                () -> "not installed: " + missing + " (apt-get install postgresql-15 patroni etcd-server python3-etcd haproxy);"
                        + " .ci/run installs them, so this runs in CI");
        PatroniCluster cluster;
        try {
            cluster = PatroniCluster.start(3, synchronous, withHaproxy);
        } catch (IllegalStateException first) {
            // Seen about once in a few dozen CI runs: a member that never joined the cluster within 90 s. The message
            // carries every member's log; a second cluster (new ports, new directories) is a retry of the setup,
            // never of what a test checks.
            System.out.println("patroni: the first cluster did not start, starting another. " + first.getMessage());
            cluster = PatroniCluster.start(3, synchronous, withHaproxy);
        }
        try {
            for (String db : databases) {
                cluster.createDatabase(db);
                cluster.awaitDatabaseEverywhere(db, Duration.ofSeconds(30));
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The superuser, with a 3 s connect timeout so that a connect to a dead member gives up like a live one's. */
    static Properties user() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "3");
        return p;
    }
}
