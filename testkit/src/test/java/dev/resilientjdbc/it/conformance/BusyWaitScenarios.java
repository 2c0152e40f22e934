package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;
import org.sqlite.BusyHandler;
import org.sqlite.Function;
import org.sqlite.SQLiteConnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 27: the application said how an SQLite connection waits for a busy file — a busy_timeout (URL,
 * PRAGMA) or a BusyHandler of its own — so SQLite's SQLITE_BUSY after that wait is its answer, on both
 * runs and within the same time: no retries of ours on top, no wait at our per-file gate.
 */
final class BusyWaitScenarios {
    private BusyWaitScenarios() {}

    static void register(Catalog c) {
        c.sqliteOnly("busy_timeout=10 in the URL: a write behind this thread's open cursor", p -> behindOpenCursor(p, true));
        c.sqliteOnly("PRAGMA busy_timeout=10: a write behind this thread's open cursor", p -> behindOpenCursor(p, false));
        c.sqliteOnly("own BusyHandler while another thread writes (sqlite-jdbc BusyHandlerTest)", BusyWaitScenarios::ownBusyHandler);
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static void behindOpenCursor(Probe p, boolean inUrl) throws Exception {
        Observations log = p.log();
        String url = p.url() + (inUrl ? "?busy_timeout=10" : "");
        try (Connection reader = DriverManager.getConnection(url); Connection writer = DriverManager.getConnection(url);
             Statement r = reader.createStatement(); Statement w = writer.createStatement()) {
            if (!inUrl) {
                log.attemptRun("PRAGMA busy_timeout = 10", () -> w.execute("PRAGMA busy_timeout = 10"));
            }
            r.execute("create table cursor_t (n integer)");
            r.executeUpdate("insert into cursor_t values (1), (2), (3)");
            try (ResultSet open = r.executeQuery("select n from cursor_t")) {
                log.attempt("cursor on its first row", open::next);
                long t0 = System.nanoTime();
                Integer n = log.attempt("a write of another connection of this thread", () -> w.executeUpdate("insert into cursor_t values (4)"));
                long ms = millisSince(t0);
                p.require("the fault hit: the file was busy", n == null);
                p.require("busy within the connection's 10 ms busy_timeout, not after retries: " + ms + " ms", ms < 1_000);
            }
            try (ResultSet rs = r.executeQuery("select count(*) from cursor_t")) {
                rs.next();
                log.note("rows", rs.getInt(1));
            }
        }
    }

    /**
     * sqlite-jdbc's BusyHandlerTest: another thread's insert holds the file (blocked inside a function of
     * its own); this connection's BusyHandler allows two waits and then gives up: SQLITE_BUSY after three
     * calls, at once — not after our gate waited for the other thread.
     */
    private static void ownBusyHandler(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Connection busy = p.openAnother();
        try (Statement s = c.createStatement()) {
            s.execute("create table foo (id integer)");
        }
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch complete = new CountDownLatch(1);
        Function.create(busy.unwrap(SQLiteConnection.class), "wait_for_latch", new Function() {
            @Override
            protected void xFunc() throws SQLException {
                locked.countDown();
                try {
                    complete.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new SQLException("interrupted");
                }
                result(100);
            }
        });
        Thread work = new Thread(() -> {
            try (Statement s = busy.createStatement()) {
                s.execute("insert into foo (id) values (wait_for_latch())");
            } catch (SQLException e) {
                locked.countDown();
            }
        }, "busy-work");
        work.setDaemon(true);
        AtomicInteger calls = new AtomicInteger();
        BusyHandler.setHandler(c.unwrap(SQLiteConnection.class), new BusyHandler() {
            @Override
            protected int callback(int nbPrevInvok) {
                calls.incrementAndGet();
                return nbPrevInvok <= 1 ? 1 : 0;
            }
        });
        work.start();
        try {
            p.require("the other thread holds the file", locked.await(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            try (Statement s = c.createStatement()) {
                for (int i = 0; i < 5; i++) {
                    int id = i;
                    if (log.attempt("insert " + i, () -> s.executeUpdate("insert into foo (id) values (" + id + ")")) == null) {
                        break;
                    }
                }
            }
            long ms = millisSince(t0);
            p.require("busy as the application's handler decided, not after our wait: " + ms + " ms", ms < 2_000);
            log.note("busy handler calls", calls.get());
        } finally {
            complete.countDown();
            work.join(10_000);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from foo")) {
            rs.next();
            log.note("rows", rs.getInt(1));
        }
    }
}
