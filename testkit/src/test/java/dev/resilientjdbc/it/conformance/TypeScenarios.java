package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;
import dev.resilientjdbc.testkit.conformance.Values;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/** Every common column type read through every common getter, written through every common setter. */
final class TypeScenarios {
    private TypeScenarios() {}

    static final List<String> COLUMNS = List.of("c_small", "c_int", "c_big", "c_num", "c_real", "c_double",
            "c_text", "c_varchar", "c_char", "c_bytes", "c_date", "c_time", "c_ts", "c_tstz", "c_bool");

    @FunctionalInterface
    interface Getter {
        Object get(ResultSet rs, String column) throws Exception;
    }

    private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

    // Every getter on every column: conversions and their refusals are observations too.
    static final Map<String, Getter> GETTERS = new LinkedHashMap<>();

    static {
        GETTERS.put("getObject", ResultSet::getObject);
        GETTERS.put("getString", ResultSet::getString);
        GETTERS.put("getShort", ResultSet::getShort);
        GETTERS.put("getInt", ResultSet::getInt);
        GETTERS.put("getLong", ResultSet::getLong);
        GETTERS.put("getBigDecimal", ResultSet::getBigDecimal);
        GETTERS.put("getFloat", ResultSet::getFloat);
        GETTERS.put("getDouble", ResultSet::getDouble);
        GETTERS.put("getBoolean", ResultSet::getBoolean);
        GETTERS.put("getBytes", ResultSet::getBytes);
        GETTERS.put("getDate", ResultSet::getDate);
        GETTERS.put("getTime", ResultSet::getTime);
        GETTERS.put("getTimestamp", ResultSet::getTimestamp);
        GETTERS.put("getTimestamp(UTC)", (rs, col) -> rs.getTimestamp(col, UTC));
        GETTERS.put("getObject(LocalDate)", (rs, col) -> rs.getObject(col, LocalDate.class));
        GETTERS.put("getObject(LocalTime)", (rs, col) -> rs.getObject(col, LocalTime.class));
        GETTERS.put("getObject(LocalDateTime)", (rs, col) -> rs.getObject(col, LocalDateTime.class));
        GETTERS.put("getObject(OffsetDateTime)", (rs, col) -> rs.getObject(col, OffsetDateTime.class));
        GETTERS.put("getObject(Integer)", (rs, col) -> rs.getObject(col, Integer.class));
        GETTERS.put("getObject(String)", (rs, col) -> rs.getObject(col, String.class));
    }

    static void register(Catalog c) {
        c.add("column types via every getter", p -> types(p, c.dialect()));
        c.add("prepared statement parameters of every type", p -> parameters(p, c.dialect()));
        c.add("prepared statement reuse and parameter errors", TypeScenarios::preparedReuse);
        c.pgOnly("arrays", TypeScenarios::arrays);
        c.pgOnly("uuid and jsonb via every getter", TypeScenarios::uuidAndJson);
        c.pgOnly("callable statement", TypeScenarios::callable);
        c.pgOnly("Array.getResultSet() back-references", TypeScenarios::arrayResultSet);
    }

    static String createTypes(Dialect d, String table) {
        return "create table " + table + " (id integer primary key, c_small smallint, c_int integer, c_big bigint,"
                + " c_num numeric(12,4), c_real real, c_double double precision, c_text text, c_varchar varchar(20),"
                + " c_char char(5), c_bytes " + d.pick("bytea", "blob") + ", c_date date, c_time time, c_ts timestamp,"
                + " c_tstz " + d.pick("timestamptz", "timestamp") + ", c_bool boolean)";
    }

    private static void types(Probe p, Dialect d) throws Exception {
        Sql.update(p, createTypes(d, "types_t"));
        String bytes1 = d.pick("'\\xdeadbeef00'::bytea", "x'deadbeef00'");
        String bytesEmpty = d.pick("''::bytea", "x''");
        Sql.updates(p,
                "insert into types_t values (1, 12, 123456, 9007199254740993, 12345678.1234, 1.5, 2.718281828459045,"
                        + " 'text ü €', 'varchar', 'ab', " + bytes1 + ", '2024-02-29', '13:14:15', '2024-02-29 13:14:15.123456',"
                        + d.pick(" '2024-02-29 13:14:15.5+02'", " '2024-02-29 11:14:15.500'") + ", " + d.pick("true", "1") + ")",
                "insert into types_t (id) values (2)",
                "insert into types_t values (3, -32768, -2147483648, -9223372036854775808, -0.0001, -3.4e38, 1e-300,"
                        + " '', '', '', " + bytesEmpty + ", '0001-01-01', '00:00:00', '1970-01-01 00:00:00',"
                        + d.pick(" '1970-01-01 00:00:00+00'", " '1970-01-01 00:00:00'") + ", " + d.pick("false", "0") + ")",
                "insert into types_t (id, c_int, c_text, c_num) values (4, 0, 'NULL', 0)");
        readAllTypes(p, "select * from types_t order by id");
    }

    /** Reads every row of a types_t-shaped query with every getter, recording values and wasNull. */
    static void readAllTypes(Probe p, String sql) throws Exception {
        readAllTypes(p, sql, COLUMNS);
    }

    /** As {@link #readAllTypes(Probe, String)}, for the given columns of a query with an integer id. */
    static void readAllTypes(Probe p, String sql, List<String> columns) throws Exception {
        Observations log = p.log();
        try (Statement s = p.connection().createStatement(); ResultSet rs = s.executeQuery(sql)) {
            p.reachable("types result set", rs);
            while (Boolean.TRUE.equals(log.attempt("next", rs::next))) {
                int id = rs.getInt("id");
                for (String col : columns) {
                    for (Map.Entry<String, Getter> g : GETTERS.entrySet()) {
                        String label = id + "." + col + "." + g.getKey();
                        log.attempt(label, () -> g.getValue().get(rs, col));
                        log.attempt(label + ".wasNull", rs::wasNull);
                    }
                }
            }
            log.attempt("next after end", rs::next);
        }
    }

    private static void parameters(Probe p, Dialect d) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, createTypes(d, "params_t"));
        String insert = "insert into params_t values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            p.reachable("prepared statement", ps);
            log.attempt("parameter count", () -> ps.getParameterMetaData().getParameterCount());
            // Typed setters.
            ps.setInt(1, 1);
            ps.setShort(2, (short) 7);
            ps.setInt(3, -42);
            ps.setLong(4, Long.MAX_VALUE);
            ps.setBigDecimal(5, new BigDecimal("-1234.5678"));
            ps.setFloat(6, 0.25f);
            ps.setDouble(7, Math.PI);
            ps.setString(8, "it's \"quoted\" \\ ü");
            ps.setString(9, "v");
            ps.setString(10, "abc");
            ps.setBytes(11, new byte[] {0, 1, 2, (byte) 0xff});
            ps.setDate(12, Date.valueOf("2023-12-31"));
            ps.setTime(13, Time.valueOf("23:59:59"));
            ps.setTimestamp(14, Timestamp.valueOf("2023-12-31 23:59:59.987654"));
            if (d.pg()) {
                ps.setObject(15, OffsetDateTime.of(2023, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-5)));
            } else {
                ps.setTimestamp(15, Timestamp.valueOf("2024-01-01 04:00:00"), UTC);
            }
            ps.setBoolean(16, true);
            log.attempt("executeUpdate typed", ps::executeUpdate);
            // setNull with the column's type.
            int[] sqlTypes = {Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.REAL, Types.DOUBLE,
                    Types.VARCHAR, Types.VARCHAR, Types.CHAR, Types.BINARY, Types.DATE, Types.TIME, Types.TIMESTAMP,
                    Types.TIMESTAMP_WITH_TIMEZONE, Types.BOOLEAN};
            ps.setInt(1, 2);
            for (int i = 0; i < sqlTypes.length; i++) {
                int index = i + 2;
                int type = sqlTypes[i];
                log.attemptRun("setNull(" + index + ", " + type + ")", () -> ps.setNull(index, type));
            }
            log.attempt("executeUpdate nulls", ps::executeUpdate);
            // setObject with Java objects, letting the driver infer the type.
            Object[] objects = {3, (short) 3, 3, 3L, new BigDecimal("3.0300"), 3.5f, 3.25d, "three", "3", "x",
                    new byte[] {3}, LocalDate.of(2003, 3, 3), LocalTime.of(3, 3, 3), LocalDateTime.of(2003, 3, 3, 3, 3, 3),
                    d.pick(OffsetDateTime.of(2003, 3, 3, 3, 3, 3, 0, ZoneOffset.UTC), Timestamp.valueOf("2003-03-03 03:03:03")),
                    Boolean.FALSE};
            for (int i = 0; i < objects.length; i++) {
                int index = i + 1;
                Object o = objects[i];
                log.attemptRun("setObject(" + index + ", " + o.getClass().getSimpleName() + ")", () -> ps.setObject(index, o));
            }
            log.attempt("executeUpdate objects", ps::executeUpdate);
            // setObject with an explicit target type, and string conversion.
            ps.clearParameters();
            Object[][] typed = {{"4", Types.INTEGER}, {4, Types.SMALLINT}, {"44", Types.INTEGER},
                    {new BigDecimal("444"), Types.BIGINT}, {"4.4", Types.NUMERIC}, {4, Types.REAL}, {"4.5", Types.DOUBLE},
                    {4, Types.VARCHAR}, {"four", Types.VARCHAR}, {"four", Types.CHAR}, {new byte[] {4, 4}, Types.BINARY},
                    {"2004-04-04", Types.DATE}, {"04:04:04", Types.TIME}, {"2004-04-04 04:04:04", Types.TIMESTAMP},
                    {d.pick("2004-04-04 04:04:04+04", "2004-04-04 00:04:04"), d.pick(Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP)},
                    {"true", Types.BOOLEAN}};
            for (int i = 0; i < typed.length; i++) {
                int index = i + 1;
                Object value = typed[i][0];
                int type = (Integer) typed[i][1];
                log.attemptRun("setObject(" + index + ", " + Values.render(value) + ", " + type + ")",
                        () -> ps.setObject(index, value, type));
            }
            // Where the driver refused a conversion, a value it takes, so the row still goes in.
            if (d.pg()) {
                log.attemptRun("setObject(15, OffsetDateTime)", () -> ps.setObject(15, OffsetDateTime.of(2004, 4, 4, 4, 4, 4, 0, ZoneOffset.ofHours(4))));
            }
            log.attempt("executeUpdate typed objects", ps::executeUpdate);
            if (d.pg()) {
                log.note("toString", ps.toString());
            }
        }
        readAllTypes(p, "select * from params_t order by id");
        // Parameters in WHERE clauses of each type.
        String[][] lookups = {{"c_int", "int"}, {"c_big", "long"}, {"c_num", "decimal"}, {"c_text", "string"},
                {"c_bytes", "bytes"}, {"c_date", "date"}, {"c_ts", "timestamp"}, {"c_bool", "boolean"}};
        for (String[] l : lookups) {
            String sql = "select id from params_t where " + l[0] + " = ? order by id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                switch (l[1]) {
                    case "int" -> ps.setInt(1, -42);
                    case "long" -> ps.setLong(1, Long.MAX_VALUE);
                    case "decimal" -> ps.setBigDecimal(1, new BigDecimal("-1234.5678"));
                    case "string" -> ps.setString(1, "three");
                    case "bytes" -> ps.setBytes(1, new byte[] {0, 1, 2, (byte) 0xff});
                    case "date" -> ps.setDate(1, Date.valueOf("2023-12-31"));
                    case "timestamp" -> ps.setTimestamp(1, Timestamp.valueOf("2023-12-31 23:59:59.987654"));
                    default -> ps.setBoolean(1, true);
                }
                ResultSet rs = log.attempt(sql, ps::executeQuery);
                if (rs != null) {
                    p.reachable("prepared result set", rs);
                    log.rows(sql, rs);
                }
            }
        }
    }

    private static void preparedReuse(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create table reuse_t (id integer primary key, v varchar(10))");
        try (PreparedStatement ins = c.prepareStatement("insert into reuse_t values (?, ?)");
             PreparedStatement sel = c.prepareStatement("select v from reuse_t where id = ?")) {
            // Past PostgreSQL's prepareThreshold (5), where the driver switches to a server-side statement.
            for (int i = 1; i <= 8; i++) {
                ins.setInt(1, i);
                ins.setString(2, "v" + i);
                log.attempt("insert " + i, ins::executeUpdate);
                sel.setInt(1, i);
                ResultSet rs = log.attempt("select " + i, sel::executeQuery);
                if (rs != null) {
                    log.rows("select " + i, rs);
                }
            }
            // A parameter set before an execution stays bound for the next one: only the id changes here.
            ins.setInt(1, 9);
            log.attempt("insert 9, the value still bound from insert 8", ins::executeUpdate);
            sel.setInt(1, 9);
            ResultSet kept = log.attempt("select 9", sel::executeQuery);
            if (kept != null) {
                log.rows("select 9", kept);
            }
            sel.clearParameters();
            log.attempt("executeQuery without parameters", sel::executeQuery);
            ins.clearParameters();
            log.attempt("executeUpdate without parameters", ins::executeUpdate); // SQLite: a row of NULLs
            log.attemptRun("setInt(2) out of range", () -> sel.setInt(2, 1));
            log.attemptRun("setInt(0)", () -> sel.setInt(0, 1));
            sel.setString(1, "not a number");
            log.attempt("executeQuery with a string for an integer", sel::executeQuery);
            ins.setInt(1, 1);
            ins.setString(2, "duplicate");
            log.attempt("insert duplicate", ins::executeUpdate);
            ins.setInt(1, 100);
            ins.setString(2, "much too long for varchar(10)");
            log.attempt("insert too long", ins::executeUpdate);
            log.attempt("executeQuery on an insert", ins::executeQuery);
            log.attempt("PreparedStatement.executeQuery(String)", () -> ins.executeQuery("select 1"));
        }
        Sql.query(p, "select * from reuse_t order by id");
    }

    /** PostgreSQL's uuid and jsonb columns, NULL included, read with every getter and looked up by parameter. */
    private static void uuidAndJson(Probe p) throws Exception {
        Observations log = p.log();
        Sql.updates(p, "create table uj_t (id integer primary key, c_uuid uuid, c_json jsonb)",
                "insert into uj_t values (1, '6ecd8c99-4036-403d-bf84-cf8400f67836', '{\"k\": [1, 2], \"s\": \"ü\"}'),"
                        + " (2, null, null), (3, '00000000-0000-0000-0000-000000000000', 'null')");
        Sql.query(p, "select * from uj_t order by id");
        readAllTypes(p, "select * from uj_t order by id", List.of("c_uuid", "c_json"));
        try (PreparedStatement ps = p.connection().prepareStatement("select id, c_json from uj_t where c_uuid = ?")) {
            ps.setObject(1, java.util.UUID.fromString("6ecd8c99-4036-403d-bf84-cf8400f67836"));
            ResultSet rs = log.attempt("select by uuid parameter", ps::executeQuery);
            if (rs != null) {
                p.reachable("uuid lookup result set", rs);
                log.rows("select by uuid parameter", rs);
            }
        }
    }

    private static void arrays(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.updates(p,
                "create table arr_t (id integer primary key, ints integer[], texts text[], nums numeric[],"
                        + " bools boolean[], grid integer[][], empty integer[], nothing integer[])",
                "insert into arr_t values (1, '{1,2,NULL,4}', '{\"a\",\"b c\",NULL,\"\"}', '{1.5,2.25}',"
                        + " '{true,false}', '{{1,2},{3,4}}', '{}', NULL)");
        try (PreparedStatement ps = c.prepareStatement("insert into arr_t values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setInt(1, 2);
            Array ints = c.createArrayOf("integer", new Integer[] {5, null, 7});
            log.note("createArrayOf integer", ints);
            ps.setArray(2, ints);
            ps.setArray(3, c.createArrayOf("text", new String[] {"x", "y,z", "\"q\""}));
            ps.setArray(4, c.createArrayOf("numeric", new BigDecimal[] {new BigDecimal("0.001")}));
            ps.setObject(5, new boolean[] {true});
            ps.setObject(6, new int[][] {{9, 8}, {7, 6}});
            ps.setArray(7, c.createArrayOf("int4", new Integer[0]));
            ps.setNull(8, Types.ARRAY);
            log.attempt("insert arrays", ps::executeUpdate);
            log.attemptRun("createArrayOf unknown type", () -> c.createArrayOf("no_such_type", new Object[] {1}));
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select * from arr_t order by id")) {
            while (rs.next()) {
                int id = rs.getInt(1);
                for (int col = 2; col <= 8; col++) {
                    int column = col;
                    Array a = log.attempt(id + "." + col + ".getArray", () -> rs.getArray(column));
                    log.attempt(id + "." + col + ".wasNull", rs::wasNull);
                    log.attempt(id + "." + col + ".getObject", () -> rs.getObject(column));
                    log.attempt(id + "." + col + ".getString", () -> rs.getString(column));
                    if (a != null) {
                        log.attempt(id + "." + col + ".getBaseType", a::getBaseType);
                        log.attempt(id + "." + col + ".getArray(2,1)", () -> a.getArray(2, 1));
                        ResultSet elements = log.attempt(id + "." + col + ".getResultSet", a::getResultSet);
                        if (elements != null) {
                            log.rows(id + "." + col + " elements", elements);
                            elements.close();
                        }
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select id from arr_t where ? = any(ints) order by id")) {
            ps.setInt(1, 7);
            log.rows("any(ints) = 7", ps.executeQuery());
        }
        try (PreparedStatement ps = c.prepareStatement("select id, ? as echoed from arr_t where ints = ?")) {
            ps.setArray(1, c.createArrayOf("varchar", new String[] {"e", null}));
            ps.setArray(2, c.createArrayOf("integer", new Integer[] {5, null, 7}));
            log.rows("ints = array param", ps.executeQuery());
        }
    }

    /** The result set an Array hands out leads back, like every other, to the application's connection. */
    private static void arrayResultSet(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select '{10,20}'::integer[]")) {
            rs.next();
            Array a = rs.getArray(1);
            try (ResultSet elements = a.getResultSet()) {
                p.reachable("Array.getResultSet()", elements);
                Statement owner = log.attempt("getStatement", elements::getStatement);
                log.note("getStatement() is null", owner == null);
                if (owner != null) {
                    p.reachable("Array.getResultSet().getStatement()", owner);
                    log.attempt("getStatement().getConnection() == connection", () -> owner.getConnection() == c);
                    p.reachable("Array.getResultSet().getStatement().getConnection()", owner.getConnection());
                }
                log.rows("elements", elements);
            }
        }
    }

    private static void callable(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        Sql.update(p, "create function twice(x integer, out y integer, out z text) as $$ select x * 2, 'x' || x $$ language sql");
        try (CallableStatement cs = c.prepareCall("{call twice(?, ?, ?)}")) {
            p.reachable("callable statement", cs);
            log.note("getConnection() == connection", cs.getConnection() == c);
            cs.setInt(1, 21);
            cs.registerOutParameter(2, Types.INTEGER);
            cs.registerOutParameter(3, Types.VARCHAR);
            log.attempt("execute", cs::execute);
            log.attempt("out 2", () -> cs.getInt(2));
            log.attempt("out 3", () -> cs.getString(3));
            log.attempt("out 2 as object", () -> cs.getObject(2));
            log.attempt("wasNull", cs::wasNull);
        }
        try (CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
            cs.registerOutParameter(1, Types.VARCHAR);
            cs.setString(2, "shout");
            log.attempt("execute upper", cs::execute);
            log.attempt("result", () -> cs.getString(1));
            log.attempt("unregistered out parameter", () -> cs.getString(2));
        }
    }
}
