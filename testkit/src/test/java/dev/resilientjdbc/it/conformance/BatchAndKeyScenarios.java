package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/** Statement and PreparedStatement batches; generated keys in every form the drivers offer. */
final class BatchAndKeyScenarios {
    private BatchAndKeyScenarios() {}

    static void register(Catalog c) {
        c.add("statement batch", BatchAndKeyScenarios::statementBatch);
        c.add("prepared statement batch", BatchAndKeyScenarios::preparedBatch);
        c.add("batch failure", BatchAndKeyScenarios::batchFailure);
        c.add("generated keys", p -> generatedKeys(p, c.dialect()));
    }

    private static void statementBatch(Probe p) throws Exception {
        Observations log = p.log();
        Sql.update(p, "create table batch_t (id integer primary key, v integer)");
        try (Statement s = p.connection().createStatement()) {
            log.attempt("empty executeBatch", s::executeBatch);
            s.addBatch("insert into batch_t values (1, 10)");
            s.addBatch("insert into batch_t values (2, 20), (3, 30)");
            s.addBatch("update batch_t set v = v + 1 where id > 1");
            s.addBatch("delete from batch_t where id = 99");
            log.attempt("executeBatch", s::executeBatch);
            log.attempt("getUpdateCount after batch", s::getUpdateCount);
            log.attempt("executeBatch again (emptied by the execution)", s::executeBatch);
            s.addBatch("insert into batch_t values (4, 40)");
            s.clearBatch();
            log.attempt("executeBatch after clearBatch", s::executeBatch);
            s.addBatch("insert into batch_t values (5, 50)");
            s.addBatch("update batch_t set v = 0 where id in (1, 5)");
            log.attempt("executeLargeBatch", s::executeLargeBatch);
        }
        Sql.query(p, "select * from batch_t order by id");
    }

    private static void preparedBatch(Probe p) throws Exception {
        Observations log = p.log();
        Sql.update(p, "create table pbatch_t (id integer primary key, v varchar(10))");
        try (PreparedStatement ps = p.connection().prepareStatement("insert into pbatch_t values (?, ?)")) {
            for (int i = 1; i <= 6; i++) {
                ps.setInt(1, i);
                ps.setString(2, i % 2 == 0 ? null : "v" + i);
                ps.addBatch();
            }
            log.attempt("executeBatch", ps::executeBatch);
            log.attempt("executeBatch again (empty)", ps::executeBatch);
            ps.setInt(1, 7);
            ps.setString(2, "seven");
            ps.addBatch();
            ps.clearBatch();
            log.attempt("after clearBatch", ps::executeBatch);
            ps.setInt(1, 8);
            ps.setString(2, "eight");
            ps.addBatch();
            log.attempt("executeLargeBatch", ps::executeLargeBatch);
        }
        try (PreparedStatement ps = p.connection().prepareStatement("update pbatch_t set v = ? where id > ?")) {
            ps.setString(1, "a");
            ps.setInt(2, 4);
            ps.addBatch();
            ps.setString(1, "b");
            ps.setInt(2, 100);
            ps.addBatch();
            log.attempt("update batch", ps::executeBatch);
        }
        Sql.query(p, "select * from pbatch_t order by id");
    }

    private static void batchFailure(Probe p) throws Exception {
        Observations log = p.log();
        Sql.update(p, "create table fbatch_t (id integer primary key)");
        try (Statement s = p.connection().createStatement()) {
            s.addBatch("insert into fbatch_t values (1)");
            s.addBatch("insert into fbatch_t values (1)");
            s.addBatch("insert into fbatch_t values (2)");
            try {
                log.note("statement batch", s.executeBatch());
            } catch (Exception e) {
                log.thrown("statement batch", e);
                if (e instanceof BatchUpdateException) {
                    log.note("statement batch counts", ((BatchUpdateException) e).getUpdateCounts());
                }
            }
        }
        Sql.query(p, "select * from fbatch_t order by id");
        try (PreparedStatement ps = p.connection().prepareStatement("insert into fbatch_t values (?)")) {
            for (int id : new int[] {10, 11, 10, 12}) {
                ps.setInt(1, id);
                ps.addBatch();
            }
            try {
                log.note("prepared batch", ps.executeBatch());
            } catch (Exception e) {
                log.thrown("prepared batch", e);
                if (e instanceof BatchUpdateException) {
                    log.note("prepared batch counts", ((BatchUpdateException) e).getUpdateCounts());
                }
            }
            log.attempt("a query in a batch", () -> {
                try (Statement s = p.connection().createStatement()) {
                    s.addBatch("select 1");
                    return s.executeBatch();
                }
            });
        }
        Sql.query(p, "select * from fbatch_t order by id");
    }

    private static void generatedKeys(Probe p, Dialect d) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create table gk_t (id " + d.pick("serial", "integer") + " primary key, name varchar(10),"
                + " created integer default 7)");
        String insert = "insert into gk_t (name) values ('a')";
        try (Statement s = c.createStatement()) {
            log.attempt("executeUpdate RETURN_GENERATED_KEYS", () -> s.executeUpdate(insert, Statement.RETURN_GENERATED_KEYS));
            keys(p, s, "keys 1");
            log.attempt("executeUpdate NO_GENERATED_KEYS", () -> s.executeUpdate(insert, Statement.NO_GENERATED_KEYS));
            keys(p, s, "keys after NO_GENERATED_KEYS");
            log.attempt("executeUpdate column names", () -> s.executeUpdate(insert, new String[] {"id"}));
            keys(p, s, "keys by name");
            log.attempt("executeUpdate column indexes", () -> s.executeUpdate(insert, new int[] {1}));
            keys(p, s, "keys by index");
            log.attempt("execute RETURN_GENERATED_KEYS", () -> s.execute(insert, Statement.RETURN_GENERATED_KEYS));
            log.attempt("getUpdateCount", s::getUpdateCount);
            keys(p, s, "keys after execute");
            log.attempt("multi-row insert", () -> s.executeUpdate(
                    "insert into gk_t (name) values ('m1'), ('m2')", Statement.RETURN_GENERATED_KEYS));
            keys(p, s, "multi-row keys");
            log.attempt("executeQuery", () -> s.executeQuery("select 1"));
            keys(p, s, "keys after a query");
        }
        try (PreparedStatement ps = c.prepareStatement("insert into gk_t (name) values (?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "ps");
            log.attempt("prepared RETURN_GENERATED_KEYS", ps::executeUpdate);
            keys(p, ps, "prepared keys");
            ps.setString(1, "b1");
            ps.addBatch();
            ps.setString(1, "b2");
            ps.addBatch();
            log.attempt("prepared batch RETURN_GENERATED_KEYS", ps::executeBatch);
            keys(p, ps, "batch keys");
        }
        try (PreparedStatement ps = c.prepareStatement("insert into gk_t (name) values (?)", new String[] {"id", "created"})) {
            ps.setString(1, "named");
            log.attempt("prepared column names", ps::executeUpdate);
            keys(p, ps, "prepared keys by name");
        }
        Sql.query(p, "select * from gk_t order by id");
    }

    private static void keys(Probe p, Statement s, String label) throws Exception {
        ResultSet keys = p.log().attempt(label, s::getGeneratedKeys);
        if (keys != null) {
            p.reachable(label, keys);
            Statement owner = p.log().attempt(label + " getStatement", keys::getStatement);
            p.log().note(label + " getStatement() == statement", owner == s);
            p.reachable(label + " getStatement()", owner);
            p.log().attemptRows(label, keys);
            keys.close();
        }
    }
}
