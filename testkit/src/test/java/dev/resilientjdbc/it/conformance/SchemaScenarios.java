package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;

import java.sql.Connection;
import java.sql.Statement;

/** DDL, and inserts/updates/deletes with their update counts. */
final class SchemaScenarios {
    private SchemaScenarios() {}

    static void register(Catalog c) {
        c.add("ddl", SchemaScenarios::ddl);
        c.add("dml update counts", SchemaScenarios::dml);
    }

    private static void ddl(Probe p) throws Exception {
        Observations log = p.log();
        Sql.updates(p,
                "create table ddl_t (id integer primary key, name varchar(40) not null, price numeric(10,2) default 0)",
                "create index ddl_i on ddl_t (name)",
                "alter table ddl_t add column note text",
                "create view ddl_v as select id, name from ddl_t",
                "create table ddl_t (id integer)", // already there: an error on both
                "create table if not exists ddl_t (id integer)");
        Sql.query(p, "select * from ddl_t");
        Sql.query(p, "select * from ddl_v");
        try (Statement s = p.connection().createStatement()) {
            log.attempt("execute(create table)", () -> s.execute("create table ddl_u (a integer)"));
            log.attempt("getUpdateCount", s::getUpdateCount);
            log.attempt("getResultSet", s::getResultSet);
            log.attempt("getMoreResults", () -> s.getMoreResults());
            log.attempt("getUpdateCount after getMoreResults", s::getUpdateCount);
        }
        Sql.updates(p,
                "drop view ddl_v",
                "drop index ddl_i",
                "drop table ddl_u",
                "drop table ddl_t",
                "drop table ddl_t",
                "drop table if exists ddl_t");
        Sql.query(p, "select * from ddl_t");
    }

    private static void dml(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.updates(p,
                "create table dml_t (id integer primary key, name varchar(20), qty integer)",
                "insert into dml_t values (1, 'a', 10)",
                "insert into dml_t values (2, 'b', 20), (3, 'c', 30), (4, 'd', 40)",
                "insert into dml_t (id, name) select id + 10, name || 'x' from dml_t where id > 2",
                "update dml_t set qty = qty + 1 where qty > 15",
                "update dml_t set qty = 0 where id = 999",
                "update dml_t set qty = null where id > 10",
                "delete from dml_t where id = 3",
                "delete from dml_t where id = 3");
        try (Statement s = c.createStatement()) {
            log.attempt("execute(update)", () -> s.execute("update dml_t set name = upper(name) where id < 3"));
            log.attempt("getUpdateCount", s::getUpdateCount);
            log.attempt("getLargeUpdateCount", s::getLargeUpdateCount);
            log.attempt("getResultSet", s::getResultSet);
            log.attempt("executeLargeUpdate", () -> s.executeLargeUpdate("update dml_t set qty = qty where id > 0"));
            log.attempt("execute(select)", () -> s.execute("select count(*) from dml_t"));
            log.attempt("getUpdateCount after select", s::getUpdateCount);
            log.attempt("executeUpdate(select)", () -> s.executeUpdate("select 1"));
            log.attempt("executeQuery(delete)", () -> s.executeQuery("delete from dml_t where id = 4"));
        }
        Sql.query(p, "select * from dml_t order by id");
        Sql.update(p, "delete from dml_t");
        Sql.query(p, "select count(*) from dml_t");
    }
}
