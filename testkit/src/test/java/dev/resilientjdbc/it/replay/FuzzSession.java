package dev.resilientjdbc.it.replay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/** The JDBC objects one run of a program holds: one connection, its statements, open result sets and savepoints. */
final class FuzzSession implements AutoCloseable {
    final Connection conn;
    private final Map<Integer, PreparedStatement> prepared = new HashMap<>();
    private final Map<Integer, ResultSet> results = new HashMap<>();
    final Map<Integer, Savepoint> savepoints = new HashMap<>();
    private Statement statement;

    FuzzSession(Connection conn) {
        this.conn = conn;
    }

    /** The program's prologue: every statement it uses, made once before its first step, as the printed program shows. */
    void prepare(FuzzPlan plan) throws SQLException {
        for (int slot : plan.preparedSlots) {
            FuzzSql.Prepared p = FuzzSql.prepared(slot);
            prepared.put(slot, p.keys() ? conn.prepareStatement(p.sql(), Statement.RETURN_GENERATED_KEYS) : conn.prepareStatement(p.sql()));
        }
        if (plan.usesStatement) {
            statement = conn.createStatement();
        }
    }

    PreparedStatement ps(int slot) {
        return prepared.get(slot);
    }

    Statement st() {
        return statement;
    }

    void open(int slot, ResultSet rs) {
        results.put(slot, rs);
    }

    ResultSet rs(int slot) {
        return results.get(slot);
    }

    void endOfTransaction() {
        savepoints.clear();
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }
}
