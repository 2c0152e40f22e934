package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Issue 16: where recovery must not act. The application aborted, its own time limit ran out, it made
 * the session read-only, the server aborted its transaction, or its own thread holds the SQLite file:
 * the raw driver's answer is the right one, and ours must be the same — same observations, and within
 * the application's own limits (each timing is required on both runs).
 */
final class HandsOffScenarios {
    private HandsOffScenarios() {}

    static void register(Catalog c) {
        c.pgOnly("hands-off: abort is final", HandsOffScenarios::abortIsFinal);
        c.pgOnly("hands-off: the application's network timeout", HandsOffScenarios::ownNetworkTimeout);
        c.pgOnly("hands-off: read-only session", HandsOffScenarios::readOnlySession);
        c.pgOnly("hands-off: transaction aborted by the server", HandsOffScenarios::abortedTransaction);
        c.sqliteOnly("hands-off: same-thread writers", HandsOffScenarios::sameThreadWriters);
    }

    /** Until a session runs {@code sql} (asked on another connection of the same run); at most 10 s. */
    private static void awaitRunning(Connection other, String sql) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Statement s = other.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (java.sql.ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where state = 'active' and query = '"
                        + sql + "'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the query never started: " + sql);
    }

    private static int count(Statement s, String table) throws SQLException {
        try (java.sql.ResultSet rs = s.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static void abortIsFinal(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Statement s = c.createStatement()) {
            Future<?> running = pool.submit(() -> s.executeQuery("select pg_sleep(5)"));
            awaitRunning(p.openAnother(), "select pg_sleep(5)");
            long t0 = System.nanoTime();
            c.abort(r -> {
                Thread t = new Thread(r, "conformance-abort");
                t.setDaemon(true);
                t.start();
            });
            try {
                running.get(10, TimeUnit.SECONDS);
                log.note("the interrupted query completed", true);
            } catch (java.util.concurrent.ExecutionException e) {
                log.note("the interrupted query failed", e.getCause() instanceof SQLException);
            }
            p.require("the interrupted query ended within 3 s, not after a re-run: " + millisSince(t0) + " ms", millisSince(t0) < 3_000);
            log.note("isClosed after abort", c.isClosed());
            log.attempt("createStatement after abort", () -> c.createStatement() != null);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void ownNetworkTimeout(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Statement s = c.createStatement()) {
            c.setNetworkTimeout(pool, 500);
            long t0 = System.nanoTime();
            log.attempt("a query longer than the application's 500 ms limit", () -> s.executeQuery("select pg_sleep(3)") != null);
            long ms = millisSince(t0);
            p.require("failed within the application's limit, not after retries: " + ms + " ms", ms < 1_500);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void readOnlySession(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        try (Statement s = c.createStatement()) {
            s.execute("create table ro_t (id integer)");
            c.setReadOnly(true);
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            log.attempt("insert in a read-only session", () -> s.executeUpdate("insert into ro_t values (1)"));
            p.require("25006 at once, not after reconnects: " + millisSince(t0) + " ms", millisSince(t0) < 1_000);
            log.attemptRun("setReadOnly(false) inside the failed transaction", () -> c.setReadOnly(false));
            log.attemptRun("rollback", c::rollback);
            log.attemptRun("setReadOnly(false) after rollback", () -> c.setReadOnly(false));
            log.attempt("insert after", () -> s.executeUpdate("insert into ro_t values (2)"));
            c.commit();
            c.setAutoCommit(true);
            log.attempt("rows", () -> count(s, "ro_t"));
        }
    }

    private static void abortedTransaction(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        try (Statement s = c.createStatement()) {
            s.execute("create table ab_t (id integer)");
            c.setAutoCommit(false);
            s.executeUpdate("insert into ab_t values (1)");
            log.attempt("a failing statement", () -> s.executeQuery("select 1 / 0") != null);
            log.attempt("the next statement", () -> s.executeUpdate("insert into ab_t values (2)"));
            log.attemptRun("commit of the aborted transaction", c::commit);
            c.setAutoCommit(true);
            log.attempt("rows", () -> count(s, "ab_t"));
        }
    }

    private static void sameThreadWriters(Probe p) throws Exception {
        Observations log = p.log();
        Connection first = p.connection();
        Connection second = p.openAnother();
        try (Statement s1 = first.createStatement(); Statement s2 = second.createStatement()) {
            s1.execute("create table st_t (id integer)");
            s2.execute("pragma busy_timeout = 100");
            first.setAutoCommit(false);
            s1.executeUpdate("insert into st_t values (1)");
            long t0 = System.nanoTime();
            log.attempt("a second writer of the same thread", () -> s2.executeUpdate("insert into st_t values (2)"));
            long ms = millisSince(t0);
            p.require("busy within the connection's 100 ms busy_timeout, not the gate's 30 s: " + ms + " ms", ms < 1_500);
            first.rollback();
            first.setAutoCommit(true);
        }
    }
}
