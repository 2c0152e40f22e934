package dev.resilientjdbc.conformance;

import dev.resilientjdbc.conformance.ConformanceTest.Db;
import dev.resilientjdbc.proxy.ResilientProxy;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.sqlite.SQLiteConnection;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The conformance scenarios: each observes what an application would, into {@link Observations}. */
final class Scenarios {
    private Scenarios() {}

    interface Body {
        void run(Connection c, Db db, Observations o, String url) throws Exception;
    }

    static final class Scenario {
        final String name;
        final boolean postgres;
        final boolean sqlite;
        final Body body;

        Scenario(String name, boolean postgres, boolean sqlite, Body body) {
            this.name = name;
            this.postgres = postgres;
            this.sqlite = sqlite;
            this.body = body;
        }
    }

    static List<Scenario> all() {
        List<Scenario> l = new ArrayList<>();
        l.add(new Scenario("ddl-and-update-counts", true, true, Scenarios::ddlAndUpdateCounts));
        l.add(new Scenario("column-types-postgresql", true, false, Scenarios::columnTypesPostgres));
        l.add(new Scenario("column-types-sqlite", false, true, Scenarios::columnTypesSqlite));
        l.add(new Scenario("prepared-parameters", true, true, Scenarios::preparedParameters));
        l.add(new Scenario("batches", true, true, Scenarios::batches));
        l.add(new Scenario("generated-keys", true, true, Scenarios::generatedKeys));
        l.add(new Scenario("transactions-and-savepoints", true, true, Scenarios::transactions));
        l.add(new Scenario("session-getters-and-setters", true, true, Scenarios::sessionSettings));
        l.add(new Scenario("metadata", true, true, Scenarios::metadata));
        l.add(new Scenario("scrollable-result-sets", true, true, Scenarios::scrollable));
        l.add(new Scenario("multiple-results", true, false, Scenarios::multipleResults));
        l.add(new Scenario("back-references", true, true, Scenarios::backReferences));
        l.add(new Scenario("callable-statements", true, false, Scenarios::callable));
        l.add(new Scenario("unwrap-and-vendor-casts-postgresql", true, false, Scenarios::vendorPostgres));
        l.add(new Scenario("unwrap-and-vendor-casts-sqlite", false, true, Scenarios::vendorSqlite));
        l.add(new Scenario("closing", true, true, Scenarios::closing));
        l.add(new Scenario("exceptions", true, true, Scenarios::exceptions));
        l.add(new Scenario("equals-and-hash-code", true, true, Scenarios::identity));
        return l;
    }

    static void ddlAndUpdateCounts(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            o.assertProxy(s);
            o.add("create.execute", s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name VARCHAR(20), n INTEGER)"));
            o.add("create.updateCount", s.getUpdateCount());
            o.add("insert", s.executeUpdate("INSERT INTO t VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)"));
            o.add("update", s.executeUpdate("UPDATE t SET n = n + 1 WHERE id >= 2"));
            o.add("update.none", s.executeUpdate("UPDATE t SET n = 0 WHERE id > 100"));
            o.add("delete", s.executeUpdate("DELETE FROM t WHERE id = 1"));
            o.add("execute.update", s.execute("UPDATE t SET name = 'z' WHERE id = 3"));
            o.add("execute.update.count", s.getUpdateCount());
            o.add("execute.update.resultSet", s.getResultSet());
            o.add("largeUpdate", s.executeLargeUpdate("UPDATE t SET n = n * 2"));
            try (ResultSet rs = s.executeQuery("SELECT id, name, n FROM t ORDER BY id")) {
                o.rows("select", rs);
            }
            o.add("alter", s.executeUpdate("ALTER TABLE t ADD COLUMN extra INTEGER"));
            o.add("drop", s.executeUpdate("DROP TABLE t"));
        }
    }

    static void columnTypesPostgres(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE types(si smallint, i int, bi bigint, num numeric(12,3), r real, d double precision,"
                    + " tx text, vc varchar(10), b bytea, dt date, tm time, ts timestamp, tstz timestamptz, bo boolean,"
                    + " ia int[], ta text[], u uuid, j jsonb)");
            s.execute("INSERT INTO types VALUES (1, 2, 3000000000, 123.456, 1.5, 2.25, 'text', 'vc', '\\xdeadbeef',"
                    + " '2024-02-29', '13:14:15', '2024-02-29 13:14:15.123', '2024-02-29 13:14:15.123+00', true,"
                    + " '{1,2,3}', '{\"a\",\"b c\"}', '6ecd8c99-4036-403d-bf84-cf8400f67836', '{\"k\": [1, 2]}')");
            s.execute("INSERT INTO types (i) VALUES (NULL)");
            try (ResultSet rs = s.executeQuery("SELECT * FROM types ORDER BY i NULLS LAST")) {
                o.rows("all", rs);
            }
            try (ResultSet rs = s.executeQuery("SELECT si, i, bi, num, r, d, b, dt, ts, bo, ia FROM types WHERE i = 2")) {
                rs.next();
                o.add("getShort", rs.getShort(1));
                o.add("getInt", rs.getInt(2));
                o.add("getLong", rs.getLong(3));
                o.add("getBigDecimal", rs.getBigDecimal(4));
                o.add("getFloat", rs.getFloat(5));
                o.add("getDouble", rs.getDouble(6));
                o.add("getBytes", rs.getBytes(7));
                o.add("getDate", rs.getDate(8));
                o.add("getTimestamp", rs.getTimestamp(9));
                o.add("getBoolean", rs.getBoolean(10));
                o.add("getArray", rs.getArray(11));
                o.add("getByName", rs.getInt("i"));
                o.add("findColumn", rs.getMetaData().getColumnCount());
            }
        }
    }

    static void columnTypesSqlite(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE types(i INTEGER, r REAL, t TEXT, b BLOB, n NUMERIC, bo BOOLEAN)");
            s.execute("INSERT INTO types VALUES (42, 1.5, 'text', x'deadbeef', 12.5, 1)");
            s.execute("INSERT INTO types VALUES (NULL, NULL, NULL, NULL, NULL, NULL)");
            try (ResultSet rs = s.executeQuery("SELECT * FROM types ORDER BY i IS NULL, i")) {
                o.rows("all", rs);
            }
            try (ResultSet rs = s.executeQuery("SELECT i, r, t, b, n, bo FROM types WHERE i = 42")) {
                rs.next();
                o.add("getInt", rs.getInt(1));
                o.add("getDouble", rs.getDouble(2));
                o.add("getString", rs.getString(3));
                o.add("getBytes", rs.getBytes(4));
                o.add("getBigDecimal", rs.getBigDecimal(5));
                o.add("getBoolean", rs.getBoolean(6));
                o.add("getLong", rs.getLong("i"));
            }
        }
    }

    static void preparedParameters(Connection c, Db db, Observations o, String url) throws Exception {
        boolean pg = db == Db.POSTGRESQL;
        try (Statement s = c.createStatement()) {
            s.execute(pg ? "CREATE TABLE p(i int, l bigint, d numeric(10,2), f double precision, s text, b bytea, dt date,"
                    + " ts timestamp, bo boolean, a int[])"
                    : "CREATE TABLE p(i INTEGER, l INTEGER, d NUMERIC, f REAL, s TEXT, b BLOB, dt TEXT, ts TEXT, bo BOOLEAN, a TEXT)");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            o.assertProxy(ps);
            ps.setInt(1, 7);
            ps.setLong(2, 1L << 40);
            ps.setBigDecimal(3, new BigDecimal("12.34"));
            ps.setDouble(4, 0.5);
            ps.setString(5, "héllo");
            ps.setBytes(6, new byte[]{1, 2, 3});
            ps.setDate(7, Date.valueOf("2024-01-02"));
            ps.setTimestamp(8, Timestamp.valueOf("2024-01-02 03:04:05"));
            ps.setBoolean(9, true);
            if (pg) {
                ps.setArray(10, c.createArrayOf("int4", new Integer[]{4, 5}));
            } else {
                ps.setString(10, "[4,5]");
            }
            o.add("insert", ps.executeUpdate());
            ps.setNull(1, Types.INTEGER);
            ps.setObject(5, "second");
            o.add("insert2", ps.executeUpdate());
            ps.clearParameters();
            o.attempt("insert-without-parameters", ps::executeUpdate);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT i, l, d, f, s, b, bo FROM p WHERE s = ? OR i IS NULL ORDER BY s")) {
            ps.setString(1, "héllo");
            try (ResultSet rs = ps.executeQuery()) {
                o.rows("select", rs);
            }
            o.add("parameterCount", ps.getParameterMetaData().getParameterCount());
        }
    }

    static void batches(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE bt(id INTEGER PRIMARY KEY, v INTEGER)");
            s.addBatch("INSERT INTO bt VALUES (1, 1)");
            s.addBatch("INSERT INTO bt VALUES (2, 2)");
            s.addBatch("UPDATE bt SET v = v + 10");
            o.add("statementBatch", s.executeBatch());
            o.add("emptyBatch", s.executeBatch());
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bt VALUES (?, ?)")) {
            for (int i = 3; i <= 6; i++) {
                ps.setInt(1, i);
                ps.setInt(2, i * i);
                ps.addBatch();
            }
            o.add("preparedBatch", ps.executeBatch());
            ps.setInt(1, 7);
            ps.setInt(2, 0);
            ps.addBatch();
            ps.clearBatch();
            o.add("clearedBatch", ps.executeBatch());
            ps.setInt(1, 1);
            ps.setInt(2, 0);
            ps.addBatch();
            o.attempt("failingBatch", ps::executeBatch);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM bt ORDER BY id")) {
            o.rows("after", rs);
        }
    }

    static void generatedKeys(Connection c, Db db, Observations o, String url) throws Exception {
        boolean pg = db == Db.POSTGRESQL;
        try (Statement s = c.createStatement()) {
            s.execute(pg ? "CREATE TABLE g(id serial PRIMARY KEY, v text)" : "CREATE TABLE g(id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)");
            o.add("update", s.executeUpdate("INSERT INTO g(v) VALUES ('a')", Statement.RETURN_GENERATED_KEYS));
            try (ResultSet keys = s.getGeneratedKeys()) {
                o.assertProxy(keys);
                o.add("keys.statementIsTheStatement", keys.getStatement() == s);
                o.rows("keys", keys);
            }
        }
        try (PreparedStatement ps = pg ? c.prepareStatement("INSERT INTO g(v) VALUES (?)", new String[]{"id"})
                : c.prepareStatement("INSERT INTO g(v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "b");
            o.add("prepared.update", ps.executeUpdate());
            try (ResultSet keys = ps.getGeneratedKeys()) {
                o.assertProxy(keys);
                o.rows("prepared.keys", keys);
            }
        }
    }

    static void transactions(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE tx(id INTEGER PRIMARY KEY)");
            c.setAutoCommit(false);
            o.add("autoCommit", c.getAutoCommit());
            s.executeUpdate("INSERT INTO tx VALUES (1)");
            c.rollback();
            s.executeUpdate("INSERT INTO tx VALUES (2)");
            c.commit();
            s.executeUpdate("INSERT INTO tx VALUES (3)");
            Savepoint sp = c.setSavepoint("sp1");
            o.add("savepoint.name", sp.getSavepointName());
            s.executeUpdate("INSERT INTO tx VALUES (4)");
            c.rollback(sp);
            s.executeUpdate("INSERT INTO tx VALUES (5)");
            Savepoint sp2 = c.setSavepoint();
            o.attempt("unnamed.name", sp2::getSavepointName);
            o.add("unnamed.id", sp2.getSavepointId() > 0);
            s.executeUpdate("INSERT INTO tx VALUES (6)");
            c.releaseSavepoint(sp2);
            c.commit();
            try (ResultSet rs = s.executeQuery("SELECT id FROM tx ORDER BY id")) {
                o.rows("rows", rs);
            }
            c.commit();
            c.setAutoCommit(true);
            o.attempt("commitInAutoCommit", () -> {
                c.commit();
                return "ok";
            });
        }
    }

    static void sessionSettings(Connection c, Db db, Observations o, String url) throws Exception {
        o.add("autoCommit", c.getAutoCommit());
        o.add("isolation", c.getTransactionIsolation());
        o.add("readOnly", c.isReadOnly());
        o.add("holdability", c.getHoldability());
        o.attempt("catalog", c::getCatalog);
        o.attempt("schema", c::getSchema);
        o.attempt("setIsolation", () -> {
            c.setTransactionIsolation(db == Db.POSTGRESQL ? Connection.TRANSACTION_REPEATABLE_READ : Connection.TRANSACTION_SERIALIZABLE);
            return c.getTransactionIsolation();
        });
        o.attempt("setReadOnly", () -> {
            c.setReadOnly(true);
            return c.isReadOnly();
        });
        c.setReadOnly(false);
        o.attempt("networkTimeout", c::getNetworkTimeout);
        o.attempt("clientInfo", () -> new java.util.TreeMap<>(c.getClientInfo())); // what the real driver reports, in full
        o.attempt("setClientInfo", () -> {
            c.setClientInfo("ApplicationName", "conformance");
            return new java.util.TreeMap<>(c.getClientInfo());
        });
        o.add("clientInfo.warnings", c.getWarnings());
        o.add("warnings", c.getWarnings());
        o.add("valid", c.isValid(2));
        o.add("nativeSQL", c.nativeSQL("SELECT {fn ucase('x')}"));
    }

    static void metadata(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE md(id INTEGER PRIMARY KEY, label VARCHAR(30) NOT NULL)");
        }
        DatabaseMetaData md = c.getMetaData();
        o.assertProxy(md);
        o.add("sameObjectTwice", md == c.getMetaData());
        o.add("connectionIsTheConnection", md.getConnection() == c);
        o.add("product", md.getDatabaseProductName());
        o.add("productVersion", md.getDatabaseProductVersion());
        o.add("driverName", md.getDriverName());
        o.add("driverVersion", md.getDriverVersion());
        o.add("user", md.getUserName());
        o.add("transactions", md.supportsTransactions());
        o.add("batch", md.supportsBatchUpdates());
        o.add("savepoints", md.supportsSavepoints());
        o.add("getGeneratedKeys", md.supportsGetGeneratedKeys());
        o.add("scrollInsensitive", md.supportsResultSetType(ResultSet.TYPE_SCROLL_INSENSITIVE));
        o.add("identifierQuote", md.getIdentifierQuoteString());
        String schema = db == Db.POSTGRESQL ? c.getSchema() : null;
        try (ResultSet rs = md.getTables(null, schema, "md", new String[]{"TABLE"})) {
            o.assertProxy(rs);
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME") + "/" + rs.getString("TABLE_TYPE"));
            }
            o.add("tables", names);
            Statement owner = rs.getStatement();
            o.add("tables.statement.null", owner == null);
            if (owner != null) {
                o.assertProxy(owner);
                o.add("tables.statement.connectionIsTheConnection", owner.getConnection() == c);
            }
        }
        try (ResultSet rs = md.getColumns(null, schema, "md", "%")) {
            List<String> columns = new ArrayList<>();
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME") + "/" + rs.getInt("DATA_TYPE") + "/" + rs.getString("TYPE_NAME")
                        + "/" + rs.getInt("NULLABLE"));
            }
            o.add("columns", columns);
        }
        try (ResultSet rs = md.getPrimaryKeys(null, schema, "md")) {
            List<String> keys = new ArrayList<>();
            while (rs.next()) {
                keys.add(rs.getString("COLUMN_NAME") + "/" + rs.getInt("KEY_SEQ"));
            }
            o.add("primaryKeys", keys);
        }
        try (ResultSet rs = md.getTypeInfo()) {
            int n = 0;
            while (rs.next()) {
                n++;
            }
            o.add("typeInfo.count", n);
        }
    }

    static void scrollable(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sc(id INTEGER PRIMARY KEY)");
            s.executeUpdate("INSERT INTO sc VALUES (1), (2), (3), (4), (5)");
        }
        Statement s;
        try {
            s = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
        } catch (java.sql.SQLException e) {
            o.add("createScrollable", Observations.exception(e));
            return;
        }
        try (s; ResultSet rs = s.executeQuery("SELECT id FROM sc ORDER BY id")) {
            o.add("type", rs.getType());
            o.attempt("absolute3", () -> rs.absolute(3) + ":" + rs.getInt(1) + ":" + rs.getRow());
            o.attempt("previous", () -> rs.previous() + ":" + rs.getInt(1));
            o.attempt("last", () -> rs.last() + ":" + rs.getInt(1) + ":" + rs.getRow());
            o.attempt("relative-2", () -> rs.relative(-2) + ":" + rs.getInt(1));
            o.attempt("first", () -> rs.first() + ":" + rs.getInt(1));
            o.attempt("isFirst", rs::isFirst);
            o.attempt("beforeFirst", () -> {
                rs.beforeFirst();
                return rs.isBeforeFirst();
            });
            o.attempt("afterLast", () -> {
                rs.afterLast();
                return rs.isAfterLast() + ":" + rs.previous() + ":" + rs.getInt(1);
            });
        }
    }

    static void multipleResults(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE mr(id int)");
            boolean isResult = s.execute("SELECT 1 AS a; INSERT INTO mr VALUES (1), (2); SELECT 2 AS b, 3 AS c");
            for (int i = 0; i < 6; i++) {
                if (isResult) {
                    ResultSet rs = s.getResultSet();
                    o.add("same-result-set-twice", rs == s.getResultSet());
                    o.rows("result" + i, rs);
                } else {
                    int count = s.getUpdateCount();
                    o.add("count" + i, count);
                    if (count == -1) {
                        break;
                    }
                }
                isResult = s.getMoreResults();
            }
        }
    }

    static void backReferences(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            o.add("statement.connection", s.getConnection() == c);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                o.add("resultSet.statement", rs.getStatement() == s);
                o.attempt("getResultSet.same", () -> s.getResultSet() == rs);
                o.add("resultSet.statement.connection", rs.getStatement().getConnection() == c);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT ?")) {
            o.add("prepared.connection", ps.getConnection() == c);
            ps.setInt(1, 5);
            try (ResultSet rs = ps.executeQuery()) {
                o.add("prepared.resultSet.statement", rs.getStatement() == ps);
                o.rows("prepared", rs);
            }
        }
    }

    static void callable(Connection c, Db db, Observations o, String url) throws Exception {
        try (CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
            o.assertProxy(cs);
            cs.registerOutParameter(1, Types.VARCHAR);
            cs.setString(2, "shout");
            o.add("execute", cs.execute());
            o.add("out", cs.getString(1));
            o.add("connection", cs.getConnection() == c);
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION add_one(x int) RETURNS int AS 'SELECT x + 1' LANGUAGE sql");
        }
        try (CallableStatement cs = c.prepareCall("{? = call add_one(?)}")) {
            cs.registerOutParameter(1, Types.INTEGER);
            cs.setInt(2, 41);
            cs.execute();
            o.add("add_one", cs.getInt(1));
        }
    }

    static void vendorPostgres(Connection c, Db db, Observations o, String url) throws Exception {
        PGConnection pgc = (PGConnection) c;
        o.add("backendPid.positive", pgc.getBackendPID() > 0);
        // java.sql.Wrapper: an interface the receiver implements unwraps to the receiver (raw: the PgConnection
        // itself; resilient: the proxy, so resilience is kept), a class to the real object.
        o.add("unwrap.PGConnection.isReceiver", c.unwrap(PGConnection.class) == c);
        o.add("unwrap.Connection.isReceiver", c.unwrap(Connection.class) == c);
        o.add("unwrap.PgConnection.class", c.unwrap(org.postgresql.jdbc.PgConnection.class).getClass().getName());
        o.add("unwrap.PGConnection.backendPid", c.unwrap(PGConnection.class).getBackendPID() == pgc.getBackendPID());
        o.add("isWrapperFor.PGConnection", c.isWrapperFor(PGConnection.class));
        o.add("isWrapperFor.ResilientProxy.onlyWhenProxied", c.isWrapperFor(ResilientProxy.class) == o.proxied);
        if (o.proxied && c.unwrap(ResilientProxy.class) != c) {
            throw new AssertionError("unwrap to the marker must reach the proxy");
        }
        try (Statement s = c.createStatement()) {
            PGStatement pgs = (PGStatement) s;
            o.add("pgStatement.prepareThreshold", pgs.getPrepareThreshold());
            s.execute("CREATE TABLE cp(id int, v text)");
        }
        CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
        o.add("copyIn", copy.copyIn("COPY cp FROM STDIN WITH (FORMAT csv)", new StringReader("1,a\n2,b\n3,\"c,d\"\n")));
        StringWriter out = new StringWriter();
        o.add("copyOut.rows", copy.copyOut("COPY (SELECT * FROM cp ORDER BY id) TO STDOUT WITH (FORMAT csv)", out));
        o.add("copyOut.text", out.toString());
        CopyManager viaCast = ((PGConnection) c).getCopyAPI();
        o.add("copyApi.rows", viaCast.copyOut("COPY (SELECT 1) TO STDOUT", new StringWriter()));
        o.add("createArrayOf", c.createArrayOf("text", new String[]{"x", "y"}));
    }

    static void vendorSqlite(Connection c, Db db, Observations o, String url) throws Exception {
        SQLiteConnection real = c.unwrap(SQLiteConnection.class);
        o.add("unwrap.class", real.getClass().getName());
        o.add("isWrapperFor.SQLiteConnection", c.isWrapperFor(SQLiteConnection.class));
        o.add("isWrapperFor.ResilientProxy.onlyWhenProxied", c.isWrapperFor(ResilientProxy.class) == o.proxied);
        o.add("busyTimeout", real.getBusyTimeout());
        o.add("unwrap.Connection.isReceiver", c.unwrap(Connection.class) == c);
    }

    static void closing(Connection c, Db db, Observations o, String url) throws Exception {
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1");
        s.close();
        o.add("statement.closed", s.isClosed());
        o.add("resultSet.closedWithStatement", rs.isClosed());
        s.close();
        o.add("doubleClose", s.isClosed());
        o.attempt("executeOnClosedStatement", () -> s.executeQuery("SELECT 2"));
        o.attempt("nextOnClosedResultSet", rs::next);

        Connection other = DriverManager.getConnection(url);
        Statement s2 = other.createStatement();
        ResultSet rs2 = s2.executeQuery("SELECT 1");
        PreparedStatement ps2 = other.prepareStatement("SELECT 2");
        other.close();
        o.add("connection.closed", other.isClosed());
        o.add("statement.closedWithConnection", s2.isClosed());
        o.add("prepared.closedWithConnection", ps2.isClosed());
        o.add("resultSet.closedWithConnection", rs2.isClosed());
        other.close();
        o.attempt("createStatementOnClosed", other::createStatement);
        o.attempt("executeOnStatementOfClosed", () -> s2.executeQuery("SELECT 3"));
        o.attempt("commitOnClosed", () -> {
            other.commit();
            return "ok";
        });
        o.attempt("isValidOnClosed", () -> other.isValid(1));
    }

    static void exceptions(Connection c, Db db, Observations o, String url) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ex(id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
            s.execute("INSERT INTO ex VALUES (1, 1)");
            o.attempt("syntax", () -> s.executeQuery("SELEC 1"));
            o.attempt("constraint", () -> s.executeUpdate("INSERT INTO ex VALUES (1, 2)"));
            o.attempt("notNull", () -> s.executeUpdate("INSERT INTO ex VALUES (2, NULL)"));
            o.attempt("missingTable", () -> s.executeQuery("SELECT * FROM no_such_table"));
            o.attempt("divisionByZero", () -> {
                try (ResultSet rs = s.executeQuery("SELECT 1 / 0")) {
                    rs.next();
                    return rs.getObject(1);
                }
            });
            o.attempt("badColumnIndex", () -> {
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                    return rs.getInt(5);
                }
            });
            o.attempt("afterError", () -> s.executeUpdate("INSERT INTO ex VALUES (3, 3)"));
        }
        // The exception object is the real driver's, never ours or a reflection wrapper.
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELEC 2");
        } catch (java.sql.SQLException e) {
            String name = e.getClass().getName();
            if (!name.startsWith("org.postgresql.") && !name.startsWith("org.sqlite.")) {
                throw new AssertionError("the application must see the real driver's exception, got " + name);
            }
            o.add("realExceptionClass", name);
        }
    }

    static void identity(Connection c, Db db, Observations o, String url) throws Exception {
        try (Connection other = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            int h = c.hashCode();
            o.add("equalsSelf", c.equals(c));
            o.add("equalsOther", c.equals(other));
            o.add("hashStable", h == c.hashCode());
            Set<Object> set = new HashSet<>();
            set.add(c);
            set.add(s);
            o.add("set.containsConnection", set.contains(c));
            o.add("set.containsStatement", set.contains(s));
            o.add("set.containsOther", set.contains(other));
            o.add("statement.equalsSelf", s.equals(s));
            o.add("toString.nonEmpty", !c.toString().isEmpty());
        }
    }
}
