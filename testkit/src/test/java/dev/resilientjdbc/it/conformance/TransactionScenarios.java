package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/** Commit, rollback, savepoints, and the session state getters and setters. */
final class TransactionScenarios {
    private TransactionScenarios() {}

    static void register(Catalog c) {
        c.add("commit and rollback", TransactionScenarios::commitRollback);
        c.add("savepoints", TransactionScenarios::savepoints);
        c.add("isolation, read-only, auto-commit and other session state", p -> session(p, c.dialect()));
    }

    private static void commitRollback(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create table tx_t (id integer primary key, v varchar(10))");
        log.attempt("getAutoCommit", c::getAutoCommit);
        log.attemptRun("commit in auto-commit", c::commit);
        log.attemptRun("rollback in auto-commit", c::rollback);
        log.attemptRun("setAutoCommit(false)", () -> c.setAutoCommit(false));
        log.attempt("getAutoCommit", c::getAutoCommit);
        Sql.update(p, "insert into tx_t values (1, 'kept')");
        log.attemptRun("commit", c::commit);
        Sql.update(p, "insert into tx_t values (2, 'undone')");
        Sql.query(p, "select * from tx_t order by id");
        try (Connection other = p.openAnother()) {
            Sql.query(p, other, "select * from tx_t order by id"); // row 2 not visible yet
        }
        log.attemptRun("rollback", c::rollback);
        Sql.query(p, "select * from tx_t order by id");
        Sql.update(p, "insert into tx_t values (3, 'on switch')");
        log.attemptRun("setAutoCommit(true) commits", () -> c.setAutoCommit(true));
        try (Connection other = p.openAnother()) {
            Sql.query(p, other, "select * from tx_t order by id");
        }
        log.attemptRun("setAutoCommit(true) again", () -> c.setAutoCommit(true));
        log.attemptRun("setAutoCommit(false) again", () -> c.setAutoCommit(false));
        Sql.update(p, "insert into tx_t values (1, 'duplicate')");
        Sql.update(p, "insert into tx_t values (4, 'after error')"); // PostgreSQL: 25P02
        log.attemptRun("commit after error", c::commit);
        Sql.query(p, "select * from tx_t order by id");
        log.attemptRun("rollback twice", () -> {
            c.rollback();
            c.rollback();
        });
        log.attemptRun("setAutoCommit(true)", () -> c.setAutoCommit(true));
    }

    private static void savepoints(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create table sp_t (id integer primary key)");
        log.attempt("setSavepoint in auto-commit", c::setSavepoint);
        c.setAutoCommit(false);
        Sql.update(p, "insert into sp_t values (1)");
        Savepoint unnamed = log.attempt("setSavepoint()", c::setSavepoint);
        if (unnamed != null) {
            log.attempt("unnamed getSavepointId", unnamed::getSavepointId);
            log.attempt("unnamed getSavepointName", unnamed::getSavepointName);
        }
        Sql.update(p, "insert into sp_t values (2)");
        Savepoint named = log.attempt("setSavepoint(two)", () -> c.setSavepoint("two"));
        if (named != null) {
            log.attempt("named getSavepointName", named::getSavepointName);
            log.attempt("named getSavepointId", named::getSavepointId);
        }
        Sql.update(p, "insert into sp_t values (3)");
        log.attemptRun("rollback(two)", () -> c.rollback(named));
        Sql.query(p, "select * from sp_t order by id");
        Sql.update(p, "insert into sp_t values (4)");
        log.attemptRun("rollback(two) again", () -> c.rollback(named));
        Sql.query(p, "select * from sp_t order by id");
        log.attemptRun("releaseSavepoint(two)", () -> c.releaseSavepoint(named));
        log.attemptRun("rollback(two) after release", () -> c.rollback(named));
        log.attemptRun("rollback(unnamed)", () -> c.rollback(unnamed));
        Sql.query(p, "select * from sp_t order by id");
        Savepoint three = log.attempt("setSavepoint(three)", () -> c.setSavepoint("three"));
        Sql.update(p, "insert into sp_t values (5)");
        log.attemptRun("releaseSavepoint(three)", () -> c.releaseSavepoint(three));
        log.attemptRun("commit", c::commit);
        log.attemptRun("rollback(unnamed) after commit", () -> c.rollback(unnamed));
        Sql.query(p, "select * from sp_t order by id");
        c.rollback();
        c.setAutoCommit(true);
        Sql.query(p, "select * from sp_t order by id");
    }

    /** Client info in a stable order; null as the driver returned it (sqlite-jdbc does). */
    private static Map<Object, Object> sorted(java.util.Properties info) {
        return info == null ? null : new TreeMap<>(info);
    }

    private static void session(Probe p, Dialect d) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create table ro_t (id integer)");
        log.attempt("getTransactionIsolation", c::getTransactionIsolation);
        for (int level : new int[] {Connection.TRANSACTION_NONE, Connection.TRANSACTION_READ_UNCOMMITTED,
                Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ,
                Connection.TRANSACTION_SERIALIZABLE, 12345}) {
            log.attemptRun("setTransactionIsolation(" + level + ")", () -> c.setTransactionIsolation(level));
            log.attempt("getTransactionIsolation", c::getTransactionIsolation);
            if (d.pg()) {
                Sql.query(p, "show transaction_isolation");
            }
        }
        log.attempt("isReadOnly", c::isReadOnly);
        log.attemptRun("setReadOnly(true)", () -> c.setReadOnly(true));
        log.attempt("isReadOnly", c::isReadOnly);
        Sql.update(p, "insert into ro_t values (1)"); // auto-commit: PostgreSQL does not enforce read-only here
        c.setAutoCommit(false);
        Sql.update(p, "insert into ro_t values (2)"); // in a transaction it does
        c.rollback();
        log.attemptRun("setReadOnly(false)", () -> c.setReadOnly(false));
        Sql.query(p, "select 1");
        log.attemptRun("setReadOnly(true) inside a transaction", () -> c.setReadOnly(true));
        log.attemptRun("setTransactionIsolation inside a transaction",
                () -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE));
        log.attempt("isReadOnly", c::isReadOnly);
        c.rollback();
        log.attemptRun("setReadOnly(false)", () -> c.setReadOnly(false));
        c.setAutoCommit(true);
        Sql.query(p, "select * from ro_t order by id");

        log.attempt("getHoldability", c::getHoldability);
        log.attemptRun("setHoldability(CLOSE_CURSORS_AT_COMMIT)", () -> c.setHoldability(ResultSet.CLOSE_CURSORS_AT_COMMIT));
        log.attempt("getHoldability", c::getHoldability);
        log.attemptRun("setHoldability(HOLD_CURSORS_OVER_COMMIT)", () -> c.setHoldability(ResultSet.HOLD_CURSORS_OVER_COMMIT));
        log.attempt("getHoldability", c::getHoldability);
        log.attempt("getCatalog", c::getCatalog);
        log.attemptRun("setCatalog(other)", () -> c.setCatalog("other"));
        log.attempt("getCatalog", c::getCatalog);
        log.attempt("getSchema", c::getSchema);
        log.attemptRun("setSchema(public)", () -> c.setSchema("public"));
        log.attempt("getSchema", c::getSchema);
        log.attemptRun("setSchema(back)", () -> c.setSchema(d.pick(PgTarget.SCHEMA, "main")));
        log.attempt("getSchema", c::getSchema);
        log.attempt("getNetworkTimeout", c::getNetworkTimeout);
        log.attempt("getClientInfo()", () -> sorted(c.getClientInfo()));
        log.attemptRun("setClientInfo(ApplicationName)", () -> c.setClientInfo("ApplicationName", "conformance"));
        log.attempt("getClientInfo(ApplicationName)", () -> c.getClientInfo("ApplicationName"));
        // The whole Properties read back after the set, not only the one name: what the real driver holds.
        log.attempt("getClientInfo() after setClientInfo", () -> sorted(c.getClientInfo()));
        log.attempt("getWarnings", c::getWarnings);
        log.attemptRun("clearWarnings", c::clearWarnings);
        log.attempt("isValid(5)", () -> c.isValid(5));
        log.attemptRun("isValid(-1)", () -> c.isValid(-1));
        log.attempt("nativeSQL", () -> c.nativeSQL("select {fn ucase('a')}, {d '2024-01-02'}"));
        log.attempt("getTypeMap", () -> {
            Map<String, Class<?>> map = c.getTypeMap();
            return map == null ? null : new TreeMap<>(map).toString();
        });
        log.attempt("isClosed", c::isClosed);
        try (Statement s = c.createStatement()) {
            log.attempt("statement getFetchSize", s::getFetchSize);
            log.attempt("statement getMaxRows", s::getMaxRows);
            log.attempt("statement getQueryTimeout", s::getQueryTimeout);
            log.attempt("statement getResultSetType", s::getResultSetType);
            log.attempt("statement getResultSetConcurrency", s::getResultSetConcurrency);
            log.attempt("statement getResultSetHoldability", s::getResultSetHoldability);
            log.attempt("statement getFetchDirection", s::getFetchDirection);
            log.attempt("statement isPoolable", s::isPoolable);
            log.attemptRun("setMaxRows(2)", () -> s.setMaxRows(2));
            log.attemptRun("setFetchSize(1)", () -> s.setFetchSize(1));
            log.attemptRun("setQueryTimeout(30)", () -> s.setQueryTimeout(30));
            log.attemptRun("setQueryTimeout(-1)", () -> s.setQueryTimeout(-1));
            log.attempt("statement getQueryTimeout", s::getQueryTimeout);
            log.attemptRun("setMaxFieldSize(3)", () -> s.setMaxFieldSize(3));
            ResultSet rs = s.executeQuery("select 'abcdef' as v union all select 'b' union all select 'c'");
            log.rows("maxRows 2, maxFieldSize 3", rs);
            log.attempt("enquoteLiteral", () -> s.enquoteLiteral("it's"));
            log.attempt("enquoteIdentifier", () -> s.enquoteIdentifier("a b", false));
        }
    }
}
