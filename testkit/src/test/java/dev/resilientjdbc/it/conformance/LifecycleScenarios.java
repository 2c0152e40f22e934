package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/** What closing does: to the object itself, to what it owns, and to later calls. */
final class LifecycleScenarios {
    private LifecycleScenarios() {}

    static void register(Catalog c) {
        c.add("closing a connection", LifecycleScenarios::closeConnection);
        c.add("closing statements and result sets", LifecycleScenarios::closeStatement);
    }

    private static void closeConnection(Probe p) throws Exception {
        Observations log = p.log();
        Connection other = p.openAnother();
        Statement s = other.createStatement();
        ResultSet rs = s.executeQuery("select 1 as a union all select 2");
        log.attempt("rs.next", rs::next);
        PreparedStatement ps = other.prepareStatement("select ? as b");
        DatabaseMetaData md = other.getMetaData();
        log.attempt("isClosed before", other::isClosed);
        log.attemptRun("close", other::close);
        log.attempt("connection isClosed", other::isClosed);
        log.attempt("statement isClosed", s::isClosed);
        log.attempt("prepared isClosed", ps::isClosed);
        log.attempt("result set isClosed", rs::isClosed);
        log.attempt("isValid(1)", () -> other.isValid(1));
        log.attempt("createStatement", other::createStatement);
        log.attempt("prepareStatement", () -> other.prepareStatement("select 1"));
        log.attempt("getAutoCommit", other::getAutoCommit);
        log.attemptRun("setAutoCommit(false)", () -> other.setAutoCommit(false));
        log.attemptRun("commit", other::commit);
        log.attemptRun("rollback", other::rollback);
        log.attempt("getMetaData", other::getMetaData);
        log.attempt("metadata getTables", () -> md.getTables(null, null, "%", null));
        log.attempt("metadata getDriverName", md::getDriverName);
        log.attempt("metadata getConnection is the connection", () -> md.getConnection() == other);
        log.attempt("statement executeQuery", () -> s.executeQuery("select 1"));
        log.attempt("statement getConnection is the connection", () -> s.getConnection() == other);
        log.attempt("prepared setInt", () -> {
            ps.setInt(1, 1);
            return true;
        });
        log.attempt("prepared executeQuery", ps::executeQuery);
        log.attempt("result set next", rs::next);
        log.attempt("result set getInt", () -> rs.getInt(1));
        log.attempt("result set getStatement is the statement", () -> rs.getStatement() == s);
        log.attempt("getWarnings", other::getWarnings);
        log.attemptRun("close again", other::close);
        log.attemptRun("statement close", s::close);
        log.attemptRun("result set close", rs::close);
        log.attempt("connection isClosed", other::isClosed);
    }

    private static void closeStatement(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select 1 as a union all select 2");
        log.attempt("next", rs::next);
        log.attemptRun("statement close", s::close);
        log.attempt("statement isClosed", s::isClosed);
        log.attempt("result set isClosed", rs::isClosed);
        log.attempt("result set next", rs::next);
        log.attempt("result set getInt", () -> rs.getInt(1));
        log.attempt("statement getConnection", () -> s.getConnection() == c);
        log.attempt("statement getResultSet", s::getResultSet);
        log.attempt("statement executeQuery", () -> s.executeQuery("select 1"));
        log.attemptRun("statement close again", s::close);
        log.attempt("statement isClosed after closing twice", s::isClosed);
        log.attemptRun("result set close", rs::close);
        log.attemptRun("result set close again", rs::close);

        try (Statement s2 = c.createStatement()) {
            ResultSet first = s2.executeQuery("select 1 as a");
            ResultSet second = s2.executeQuery("select 2 as b");
            log.attempt("re-execution closed the first result set", first::isClosed);
            log.attempt("second open", () -> !second.isClosed());
            log.attemptRun("second close", second::close);
            log.attempt("getString on a closed result set", () -> second.getString(1));
            log.attempt("getMetaData on a closed result set", second::getMetaData);
            log.attempt("statement still open", () -> !s2.isClosed());
            log.attempt("isCloseOnCompletion", s2::isCloseOnCompletion);
            log.attemptRun("closeOnCompletion", s2::closeOnCompletion);
            log.attempt("isCloseOnCompletion", s2::isCloseOnCompletion);
            ResultSet third = log.attempt("executeQuery after closeOnCompletion", () -> s2.executeQuery("select 3 as c"));
            if (third != null) {
                log.rows("third", third);
                log.attempt("statement open before closing its result set", () -> !s2.isClosed());
                third.close();
            }
            log.attempt("statement closed on completion", s2::isClosed);
        }
        try (Statement s3 = c.createStatement()) {
            log.attemptRun("closeOnCompletion before any result", s3::closeOnCompletion);
            ResultSet rs3 = s3.executeQuery("select 4 as d");
            log.attempt("open while its result set is", () -> !s3.isClosed());
            rs3.close();
            log.attempt("closed with its only result set", s3::isClosed);
        }
        PreparedStatement ps = c.prepareStatement("select ? as v"); // closed below, on purpose
        ps.setString(1, "x");
        ResultSet rs2 = ps.executeQuery();
        ps.close();
        log.attempt("prepared isClosed", ps::isClosed);
        log.attempt("its result set isClosed", rs2::isClosed);
        log.attempt("prepared executeQuery after close", ps::executeQuery);
        log.attemptRun("prepared setString after close", () -> ps.setString(1, "y"));
        log.attempt("connection still open", () -> !c.isClosed());
        Sql.query(p, "select 'still works' as v");
    }
}
