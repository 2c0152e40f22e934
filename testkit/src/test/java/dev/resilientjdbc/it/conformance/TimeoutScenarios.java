package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The real driver ends a connection for the application: its own time limit ran out (pgjdbc's
 * {@code socketTimeout}, {@code setNetworkTimeout}), or the session set a {@code client_encoding}
 * pgjdbc refuses. Outside a transaction the connection is over on both runs — pools ask isClosed()
 * and isValid() — and nothing reconnects behind the application's back.
 */
final class TimeoutScenarios {
    private TimeoutScenarios() {}

    static void register(Catalog c) {
        c.pgOnly("socketTimeout fires (pgjdbc SocketTimeoutTest)", TimeoutScenarios::socketTimeout);
        c.pgOnly("setNetworkTimeout fires", TimeoutScenarios::networkTimeout);
        c.pgOnly("client_encoding the driver refuses", TimeoutScenarios::clientEncoding);
    }

    /** pgjdbc's SocketTimeoutTest: socketTimeout=1, a 2 s statement, then the connection is closed. */
    private static void socketTimeout(Probe p) throws Exception {
        String url = p.url() + (p.url().contains("?") ? "&" : "?") + "socketTimeout=1";
        try (Connection c = DriverManager.getConnection(url, p.properties())) {
            afterTheDriverEndedIt(p, c, "SELECT pg_sleep(2)");
        }
    }

    private static void networkTimeout(Probe p) throws Exception {
        Connection c = p.openAnother();
        p.log().attemptRun("setNetworkTimeout(500)", () -> c.setNetworkTimeout(Runnable::run, 500));
        p.log().attempt("getNetworkTimeout", c::getNetworkTimeout);
        afterTheDriverEndedIt(p, c, "SELECT pg_sleep(2)");
    }

    private static void clientEncoding(Probe p) throws Exception {
        afterTheDriverEndedIt(p, p.openAnother(), "SET client_encoding = 'LATIN1'");
    }

    private static void afterTheDriverEndedIt(Probe p, Connection c, String sql) throws Exception {
        Observations log = p.log();
        Statement s = c.createStatement();
        log.attempt("select 1 first", () -> {
            try (var rs = s.executeQuery("select 1")) {
                return rs.next();
            }
        });
        boolean failed = !log.attemptRun(sql, () -> s.execute(sql));
        p.require("the fault hit: " + sql + " failed", failed);
        log.attempt("isClosed", c::isClosed);
        log.attempt("isValid(1)", () -> c.isValid(1));
        log.attempt("statement isClosed", s::isClosed);
        log.attempt("next call: statement executeQuery", () -> s.executeQuery("select 1"));
        log.attempt("next call: createStatement", c::createStatement);
        log.attempt("getAutoCommit", c::getAutoCommit);
        log.attemptRun("setAutoCommit(false)", () -> c.setAutoCommit(false));
        log.attemptRun("rollback", c::rollback);
        log.attempt("isClosed still", c::isClosed);
        log.attemptRun("close", c::close);
        log.attempt("isClosed after close", c::isClosed);
    }
}
