package dev.resilientjdbc.it.replay;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;

/**
 * One JDBC call (or a tiny idiom such as {@code if (rs.next()) { getters }}) of a fuzzed program, with
 * the fault to inject just before it. {@link #java} prints it as the Java an application would have
 * written; {@link #run} makes the call and returns what the application observed, as text.
 */
sealed interface FuzzStep {
    FuzzFault fault();

    FuzzStep withFault(FuzzFault f);

    String java(FuzzPlan.Planned p);

    String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException;

    /** Result-set slots: 0 the Statement's, N psN's, 10+N psN's generated keys. */
    static String rsName(int slot) {
        return slot == 0 ? "rsSt" : slot > 10 ? "keys" + (slot - 10) : "rs" + slot;
    }

    static String quote(String sql) {
        return "\"" + sql.replace("\"", "\\\"") + "\"";
    }

    record Begin(FuzzFault fault) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new Begin(f); }
        public String java(FuzzPlan.Planned p) { return "conn.setAutoCommit(false);"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.conn.setAutoCommit(false);
            return "ok";
        }
    }

    record Commit(FuzzFault fault) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new Commit(f); }
        public String java(FuzzPlan.Planned p) { return "conn.commit();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.conn.commit();
            s.endOfTransaction();
            return "ok";
        }
    }

    record Rollback(FuzzFault fault) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new Rollback(f); }
        public String java(FuzzPlan.Planned p) { return "conn.rollback();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.conn.rollback();
            s.endOfTransaction();
            return "ok";
        }
    }

    /** setAutoCommit(true) in a transaction commits it. */
    record AutoCommitOn(FuzzFault fault) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new AutoCommitOn(f); }
        public String java(FuzzPlan.Planned p) { return "conn.setAutoCommit(true); // commits"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.conn.setAutoCommit(true);
            s.endOfTransaction();
            return "ok";
        }
    }

    enum Setter { LONG, INT, OBJECT_TYPED, OBJECT, STRING, NULL_BIGINT, NULL_VARCHAR }

    record Bind(FuzzFault fault, int ps, int param, Setter setter, long n) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new Bind(f, ps, param, setter, n); }

        public String java(FuzzPlan.Planned p) {
            String target = "ps" + ps + ".";
            switch (setter) {
                case LONG: return target + "setLong(" + param + ", " + n + ");";
                case INT: return target + "setInt(" + param + ", " + n + ");";
                case OBJECT_TYPED: return target + "setObject(" + param + ", " + n + "L, Types.BIGINT);";
                case OBJECT: return target + "setObject(" + param + ", " + n + "L);";
                case STRING: return target + "setString(" + param + ", \"s" + n + "\");";
                case NULL_BIGINT: return target + "setNull(" + param + ", Types.BIGINT);";
                default: return target + "setNull(" + param + ", Types.VARCHAR);";
            }
        }

        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            PreparedStatement st = s.ps(ps);
            switch (setter) {
                case LONG: st.setLong(param, n); break;
                case INT: st.setInt(param, (int) n); break;
                case OBJECT_TYPED: st.setObject(param, n, Types.BIGINT); break;
                case OBJECT: st.setObject(param, n); break;
                case STRING: st.setString(param, "s" + n); break;
                case NULL_BIGINT: st.setNull(param, Types.BIGINT); break;
                default: st.setNull(param, Types.VARCHAR);
            }
            return "ok";
        }
    }

    record ClearParameters(FuzzFault fault, int ps) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new ClearParameters(f, ps); }
        public String java(FuzzPlan.Planned p) { return "ps" + ps + ".clearParameters();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.ps(ps).clearParameters();
            return "ok";
        }
    }

    enum ExecKind { QUERY, UPDATE, EXECUTE }

    record Exec(FuzzFault fault, int ps, ExecKind kind) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new Exec(f, ps, kind); }

        public String java(FuzzPlan.Planned p) {
            switch (kind) {
                case QUERY: return "rs" + ps + " = ps" + ps + ".executeQuery();";
                case UPDATE: return "ps" + ps + ".executeUpdate();";
                default: return FuzzSql.prepared(ps).query()
                        ? "ps" + ps + ".execute(); rs" + ps + " = ps" + ps + ".getResultSet();"
                        : "ps" + ps + ".execute(); ps" + ps + ".getUpdateCount();";
            }
        }

        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            PreparedStatement st = s.ps(ps);
            s.open(ps, null); // executing a statement closes its result set, even when the execution fails
            switch (kind) {
                case QUERY:
                    s.open(ps, st.executeQuery());
                    return "rs";
                case UPDATE:
                    return "count " + st.executeUpdate();
                default:
                    boolean isRs = st.execute();
                    if (isRs) {
                        s.open(ps, st.getResultSet());
                        return "true, rs";
                    }
                    return "false, count " + st.getUpdateCount();
            }
        }
    }

    /** In a transaction pgjdbc then reads the rows through a portal, n at a time: a read may need the server. */
    record FetchSize(FuzzFault fault, int ps, int rows) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new FetchSize(f, ps, rows); }
        public String java(FuzzPlan.Planned p) { return "ps" + ps + ".setFetchSize(" + rows + ");"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.ps(ps).setFetchSize(rows);
            return "ok";
        }
    }

    record AddBatch(FuzzFault fault, int ps) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new AddBatch(f, ps); }
        public String java(FuzzPlan.Planned p) { return "ps" + ps + ".addBatch();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.ps(ps).addBatch();
            return "ok";
        }
    }

    record ExecuteBatch(FuzzFault fault, int ps) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new ExecuteBatch(f, ps); }
        public String java(FuzzPlan.Planned p) { return "ps" + ps + ".executeBatch();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            return "counts " + Arrays.toString(s.ps(ps).executeBatch());
        }
    }

    record ClearBatch(FuzzFault fault, int ps) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new ClearBatch(f, ps); }
        public String java(FuzzPlan.Planned p) { return "ps" + ps + ".clearBatch();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.ps(ps).clearBatch();
            return "ok";
        }
    }

    record GeneratedKeys(FuzzFault fault, int ps) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new GeneratedKeys(f, ps); }
        public String java(FuzzPlan.Planned p) { return "keys" + ps + " = ps" + ps + ".getGeneratedKeys();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.open(10 + ps, null);
            s.open(10 + ps, s.ps(ps).getGeneratedKeys());
            return "keys";
        }
    }

    /** {@code if (rs.next()) { every column, some by index, some by label }}: a partial read is a few of these. */
    record Read(FuzzFault fault, int slot, int byLabel) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new Read(f, slot, byLabel); }

        List<String> columns() {
            return slot == 0 ? FuzzSql.ST_QUERY_COLUMNS : FuzzSql.prepared(slot % 10).columns();
        }

        public String java(FuzzPlan.Planned p) {
            String rs = rsName(slot);
            StringBuilder b = new StringBuilder("if (" + rs + ".next()) { ");
            List<String> cols = columns();
            for (int i = 0; i < cols.size(); i++) {
                String col = cols.get(i);
                String getter = "note".equals(col) ? "getString" : "id".equals(col) ? "getInt" : "getLong";
                String arg = (byLabel >> i & 1) == 1 ? "\"" + col + "\"" : String.valueOf(i + 1);
                b.append(rs).append('.').append(getter).append('(').append(arg).append("); ");
                if ("note".equals(col)) {
                    b.append(rs).append(".wasNull(); ");
                }
            }
            return b.append('}').toString();
        }

        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            ResultSet rs = s.rs(slot);
            if (rs == null) {
                return "no result set"; // the query that was to open it failed (both runs see it so)
            }
            if (!rs.next()) {
                return "next false";
            }
            StringBuilder b = new StringBuilder("row");
            List<String> cols = columns();
            for (int i = 0; i < cols.size(); i++) {
                String col = cols.get(i);
                boolean label = (byLabel >> i & 1) == 1;
                if ("note".equals(col)) {
                    String v = label ? rs.getString(col) : rs.getString(i + 1);
                    b.append(' ').append(v).append(rs.wasNull() ? "(null)" : "");
                } else if ("id".equals(col)) {
                    int id = label ? rs.getInt(col) : rs.getInt(i + 1);
                    // ps7's identity key (slot 17) comes from a sequence: a replay rightly takes another value.
                    b.append(' ').append(slot == 17 && FuzzSql.SEQUENCES ? "(sequence)" : String.valueOf(id));
                } else {
                    b.append(' ').append(label ? rs.getLong(col) : rs.getLong(i + 1));
                }
            }
            return b.toString();
        }
    }

    record StQuery(FuzzFault fault, int sql) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new StQuery(f, sql); }
        public String java(FuzzPlan.Planned p) { return "rsSt = st.executeQuery(" + quote(FuzzSql.ST_QUERIES.get(sql)) + ");"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.open(0, null);
            s.open(0, s.st().executeQuery(FuzzSql.ST_QUERIES.get(sql)));
            return "rs";
        }
    }

    record StUpdate(FuzzFault fault, int sql) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new StUpdate(f, sql); }
        public String java(FuzzPlan.Planned p) { return "st.executeUpdate(" + quote(FuzzSql.ST_UPDATES.get(sql)) + ");"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            return "count " + s.st().executeUpdate(FuzzSql.ST_UPDATES.get(sql));
        }
    }

    /** Statement.addBatch(sql): SQL batched on the plain Statement, run by {@link StExecuteBatch}. */
    record StAddBatch(FuzzFault fault, int sql) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new StAddBatch(f, sql); }
        public String java(FuzzPlan.Planned p) { return "st.addBatch(" + quote(FuzzSql.ST_UPDATES.get(sql)) + ");"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.st().addBatch(FuzzSql.ST_UPDATES.get(sql));
            return "ok";
        }
    }

    record StExecuteBatch(FuzzFault fault) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new StExecuteBatch(f); }
        public String java(FuzzPlan.Planned p) { return "st.executeBatch();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.open(0, null); // executing the statement closes its result set
            return "counts " + Arrays.toString(s.st().executeBatch());
        }
    }

    /** rs.close(), then whether its statement is still open (it is: no closeOnCompletion). */
    record CloseResult(FuzzFault fault, int slot) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new CloseResult(f, slot); }
        public String java(FuzzPlan.Planned p) { return rsName(slot) + ".close(); " + rsName(slot) + ".getStatement().isClosed();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            ResultSet rs = s.rs(slot);
            if (rs == null) {
                return "no result set";
            }
            Statement st = rs.getStatement();
            rs.close();
            s.open(slot, null);
            return "closed, statement " + (st == null ? "none" : st.isClosed() ? "closed" : "open") + ", rs " + (rs.isClosed() ? "closed" : "open");
        }
    }

    /** Statement.execute, then every result it has: getResultSet (all rows) / getUpdateCount / getMoreResults. */
    record StExecute(FuzzFault fault, int sql) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new StExecute(f, sql); }

        public String java(FuzzPlan.Planned p) {
            return "st.execute(" + quote(FuzzSql.ST_EXECUTES.get(sql))
                    + "); // then getResultSet() (every row) / getUpdateCount() / getMoreResults() until done";
        }

        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            Statement st = s.st();
            boolean isRs = st.execute(FuzzSql.ST_EXECUTES.get(sql));
            StringBuilder b = new StringBuilder().append(isRs);
            while (true) {
                if (isRs) {
                    ResultSet rs = st.getResultSet();
                    int n = rs.getMetaData().getColumnCount();
                    b.append(" rs[");
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            b.append(rs.getLong(i)).append(i < n ? "," : ";");
                        }
                    }
                    b.append(']');
                } else {
                    int count = st.getUpdateCount();
                    if (count == -1) {
                        return b.toString();
                    }
                    b.append(" count ").append(count);
                }
                isRs = st.getMoreResults();
            }
        }
    }

    record SetSavepoint(FuzzFault fault) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new SetSavepoint(f); }
        public String java(FuzzPlan.Planned p) { return "Savepoint sp" + p.savepoint() + " = conn.setSavepoint();"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            s.savepoints.put(p.savepoint(), s.conn.setSavepoint());
            return "ok";
        }
    }

    /** ref picks one of the savepoints alive at that point (modulo their number), so it survives shrinking. */
    record RollbackToSavepoint(FuzzFault fault, int ref) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new RollbackToSavepoint(f, ref); }
        public String java(FuzzPlan.Planned p) { return "conn.rollback(sp" + p.savepoint() + ");"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            Savepoint sp = s.savepoints.get(p.savepoint());
            if (sp == null) {
                return "no savepoint"; // setSavepoint failed (an aborted transaction), in both runs
            }
            s.conn.rollback(sp);
            return "ok";
        }
    }

    record ReleaseSavepoint(FuzzFault fault, int ref) implements FuzzStep {
        public FuzzStep withFault(FuzzFault f) { return new ReleaseSavepoint(f, ref); }
        public String java(FuzzPlan.Planned p) { return "conn.releaseSavepoint(sp" + p.savepoint() + ");"; }
        public String run(FuzzSession s, FuzzPlan.Planned p) throws SQLException {
            Savepoint sp = s.savepoints.get(p.savepoint());
            if (sp == null) {
                return "no savepoint";
            }
            s.conn.releaseSavepoint(sp);
            return "ok";
        }
    }
}
