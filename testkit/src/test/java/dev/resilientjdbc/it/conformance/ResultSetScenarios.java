package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/** Cursor movement (scrollable where the driver has it, refused where it has not) and multiple results. */
final class ResultSetScenarios {
    private ResultSetScenarios() {}

    static void register(Catalog c) {
        c.add("scrollable result sets", ResultSetScenarios::scrollable);
        c.add("forward-only result set movement", ResultSetScenarios::forwardOnly);
        c.add("multiple results and getMoreResults", ResultSetScenarios::multipleResults);
        c.pgOnly("updatable result set", ResultSetScenarios::updatable);
    }

    private static void fill(Probe p) throws Exception {
        Sql.updates(p, "create table scroll_t (id integer primary key, v varchar(5))",
                "insert into scroll_t values (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')");
    }

    private static void scrollable(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        fill(p);
        Statement s = log.attempt("createStatement(SCROLL_INSENSITIVE, READ_ONLY)",
                () -> c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY));
        if (s == null) {
            s = c.createStatement(); // SQLite: what does moving a forward-only cursor do, then?
        }
        try (Statement st = s) {
            log.attempt("getResultSetType", st::getResultSetType);
            ResultSet rs = st.executeQuery("select id, v from scroll_t order by id");
            p.reachable("scroll result set", rs);
            log.attempt("rs getType", rs::getType);
            log.attempt("rs getConcurrency", rs::getConcurrency);
            navigate(p, rs);
        }
        PreparedStatement ps = log.attempt("prepareStatement(SCROLL_SENSITIVE)", () -> c.prepareStatement(
                "select id from scroll_t where id > ? order by id", ResultSet.TYPE_SCROLL_SENSITIVE, ResultSet.CONCUR_READ_ONLY));
        if (ps != null) {
            try (PreparedStatement pst = ps) {
                pst.setInt(1, 2);
                ResultSet rs = pst.executeQuery();
                log.attempt("prepared rs getType", rs::getType);
                navigate(p, rs);
            }
        }
    }

    private static void forwardOnly(Probe p) throws Exception {
        fill(p);
        try (Statement s = p.connection().createStatement()) {
            ResultSet rs = s.executeQuery("select id, v from scroll_t order by id");
            p.log().attempt("rs getType", rs::getType);
            navigate(p, rs);
        }
    }

    /** Every movement method, each position read back. */
    private static void navigate(Probe p, ResultSet rs) {
        Observations log = p.log();
        log.attempt("isBeforeFirst", rs::isBeforeFirst);
        log.attempt("getRow", rs::getRow);
        step(p, rs, "next", rs::next);
        step(p, rs, "next", rs::next);
        step(p, rs, "last", rs::last);
        step(p, rs, "previous", rs::previous);
        step(p, rs, "first", rs::first);
        step(p, rs, "absolute(3)", () -> rs.absolute(3));
        step(p, rs, "relative(-1)", () -> rs.relative(-1));
        step(p, rs, "relative(2)", () -> rs.relative(2));
        step(p, rs, "absolute(-2)", () -> rs.absolute(-2));
        step(p, rs, "relative(0)", () -> rs.relative(0));
        step(p, rs, "absolute(99)", () -> rs.absolute(99));
        log.attempt("isAfterLast", rs::isAfterLast);
        step(p, rs, "previous", rs::previous);
        log.attempt("isLast", rs::isLast);
        step(p, rs, "absolute(0)", () -> rs.absolute(0));
        log.attempt("isBeforeFirst", rs::isBeforeFirst);
        log.attemptRun("beforeFirst", rs::beforeFirst);
        step(p, rs, "next", rs::next);
        log.attempt("isFirst", rs::isFirst);
        log.attemptRun("afterLast", rs::afterLast);
        step(p, rs, "previous", rs::previous);
        log.attemptRun("setFetchDirection(REVERSE)", () -> rs.setFetchDirection(ResultSet.FETCH_REVERSE));
        log.attempt("getFetchDirection", rs::getFetchDirection);
        step(p, rs, "next until end", () -> {
            boolean more = false;
            while (rs.next()) {
                more = true;
            }
            return more;
        });
        step(p, rs, "next past end", rs::next);
    }

    private static void step(Probe p, ResultSet rs, String what, dev.resilientjdbc.testkit.conformance.SqlCall<Boolean> move) {
        Observations log = p.log();
        Boolean on = log.attempt(what, move);
        log.attempt(what + " getRow", rs::getRow);
        if (Boolean.TRUE.equals(on)) {
            log.attempt(what + " id", () -> rs.getInt(1));
        }
    }

    private static void multipleResults(Probe p) throws Exception {
        Observations log = p.log();
        Sql.update(p, "create table multi_t (id integer primary key)");
        String script = "select 1 as a; insert into multi_t values (1), (2); select 'x' as b, 2 as c;"
                + " update multi_t set id = id where id < 0; delete from multi_t";
        try (Statement s = p.connection().createStatement()) {
            Boolean isResult = log.attempt("execute(script)", () -> s.execute(script));
            ResultSet previous = null;
            for (int i = 0; i < 10 && isResult != null; i++) {
                if (isResult) {
                    ResultSet rs = log.attempt("getResultSet " + i, s::getResultSet);
                    if (rs == null) {
                        break;
                    }
                    p.reachable("result " + i, rs);
                    log.attempt("result " + i + " getResultSet() twice is the same", () -> s.getResultSet() == rs);
                    log.attempt("result " + i + " getStatement() == statement", () -> rs.getStatement() == s);
                    log.rows("result " + i, rs);
                    previous = rs;
                } else {
                    Integer count = log.attempt("update count " + i, s::getUpdateCount);
                    if (count == null || count == -1) {
                        break;
                    }
                }
                isResult = log.attempt("getMoreResults " + i, () -> s.getMoreResults());
                if (previous != null) {
                    log.attempt("previous result closed", previous::isClosed);
                }
            }
            log.attempt("getMoreResults at end", () -> s.getMoreResults());
            log.attempt("getUpdateCount at end", s::getUpdateCount);
            log.attempt("getResultSet at end", s::getResultSet);

            // KEEP_CURRENT_RESULT leaves the earlier result set open, where the driver supports it.
            Boolean first = log.attempt("execute(two selects)", () -> s.execute("select 1 as k; select 2 as k"));
            if (Boolean.TRUE.equals(first)) {
                ResultSet one = log.attempt("getResultSet first", s::getResultSet);
                log.attempt("getMoreResults(KEEP_CURRENT_RESULT)", () -> s.getMoreResults(Statement.KEEP_CURRENT_RESULT));
                log.attempt("first still open", () -> !one.isClosed());
                ResultSet two = log.attempt("getResultSet second", s::getResultSet);
                log.note("second is another result set", two != one);
                if (two != null && two != one) {
                    log.rows("second", two);
                }
                log.attempt("first rows after moving on", () -> {
                    log.rows("first", one);
                    return true;
                });
                log.attempt("getMoreResults(CLOSE_ALL_RESULTS)", () -> s.getMoreResults(Statement.CLOSE_ALL_RESULTS));
                log.attempt("first closed", one::isClosed);
            }
        }
        Sql.query(p, "select * from multi_t");
    }

    private static void updatable(Probe p) throws Exception {
        Observations log = p.log();
        fill(p);
        try (Statement s = p.connection().createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
             ResultSet rs = s.executeQuery("select id, v from scroll_t order by id")) {
            log.attempt("getConcurrency", rs::getConcurrency);
            rs.absolute(2);
            log.attemptRun("updateString + updateRow", () -> {
                rs.updateString("v", "B");
                rs.updateRow();
            });
            log.attempt("value after updateRow", () -> rs.getString("v"));
            log.attemptRun("insertRow", () -> {
                rs.moveToInsertRow();
                rs.updateInt("id", 6);
                rs.updateString("v", "f");
                rs.insertRow();
                rs.moveToCurrentRow();
            });
            rs.absolute(1);
            log.attemptRun("deleteRow", rs::deleteRow);
            log.attempt("rowDeleted", rs::rowDeleted);
            log.attemptRun("updateRow on the insert row without moving", () -> {
                rs.moveToInsertRow();
                rs.updateRow();
            });
        }
        Sql.query(p, "select * from scroll_t order by id");
    }
}
