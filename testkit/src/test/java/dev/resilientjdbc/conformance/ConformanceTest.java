package dev.resilientjdbc.conformance;

import dev.resilientjdbc.proxy.ResilientProxy;
import dev.resilientjdbc.testkit.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import dev.resilientjdbc.testkit.sqlite.SqliteExtension;
import dev.resilientjdbc.testkit.sqlite.SqliteFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every scenario runs twice — through the raw driver and through {@code jdbc:resilient:} — on a
 * real PostgreSQL 17 and on a real SQLite file, each run in its own fresh namespace, and what the
 * application observed must be identical.
 */
@PgTest
@ExtendWith(SqliteExtension.class)
class ConformanceTest {
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @TestFactory
    Stream<DynamicTest> postgresql() {
        return Scenarios.all().stream().filter(s -> s.postgres).map(s -> DynamicTest.dynamicTest(s.name, () -> {
            String base = pg.jdbcUrl() + "?user=postgres&currentSchema=";
            // Each run sees only its own schema, so catalog-wide answers (type lists) match too.
            List<Object> raw = run(s, Db.POSTGRESQL, false, onlySchema("conf_raw"), base + "conf_raw");
            List<Object> proxied = run(s, Db.POSTGRESQL, true, onlySchema("conf_prx"),
                    base.replace("jdbc:", "jdbc:resilient:") + "conf_prx");
            compare(s, raw, proxied);
        }));
    }

    @TestFactory
    Stream<DynamicTest> sqlite(SqliteFiles files) {
        return Scenarios.all().stream().filter(s -> s.sqlite).map(s -> DynamicTest.dynamicTest(s.name, () -> {
            List<Object> raw = run(s, Db.SQLITE, false, null, files.newDatabaseUrl("raw-" + s.name));
            List<Object> proxied = run(s, Db.SQLITE, true, null,
                    files.newDatabaseUrl("prx-" + s.name).replace("jdbc:", "jdbc:resilient:"));
            compare(s, raw, proxied);
        }));
    }

    private static void compare(Scenarios.Scenario s, List<Object> raw, List<Object> proxied) {
        assertTrue(raw.size() > 0, "the scenario observed something");
        assertEquals(String.join("\n", strings(raw)), String.join("\n", strings(proxied)),
                "scenario " + s.name + ": the application must observe the same through resilient-jdbc as through the raw driver");
    }

    private static List<String> strings(List<Object> l) {
        List<String> out = new ArrayList<>();
        l.forEach(o -> out.add(String.valueOf(o)));
        return out;
    }

    private static Void onlySchema(String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres"); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS conf_raw CASCADE");
            s.execute("DROP SCHEMA IF EXISTS conf_prx CASCADE");
            s.execute("CREATE SCHEMA " + schema);
        }
        return null;
    }

    private static List<Object> run(Scenarios.Scenario s, Db db, boolean proxied, Void unused, String url) throws Exception {
        Observations o = new Observations(proxied);
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(proxied, c instanceof ResilientProxy, "the URL decides who answers");
            s.body.run(c, db, o, url);
        }
        return o.log;
    }

    enum Db { POSTGRESQL, SQLITE }
}
