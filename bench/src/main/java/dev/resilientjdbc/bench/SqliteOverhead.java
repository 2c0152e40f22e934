package dev.resilientjdbc.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * The proxy cost where the database costs least: an in-memory SQLite database (shared cache, so the
 * connection that loads the data and the measured one see the same tables), point select and a scan
 * of 1,000 rows × 10 columns through the getters. {@code side}: raw, resilient, resilient-nometrics.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SqliteOverhead {

    @State(Scope.Benchmark)
    public static class Db {
        @Param({"raw", "resilient", "resilient-nometrics"})
        public String side;
        Connection keeper;
        Connection connection;
        PreparedStatement pointSelect;
        Statement statement;
        int key;

        @Setup(Level.Trial)
        public void open() throws SQLException {
            String raw = "jdbc:sqlite:file:bench-" + side + "?mode=memory&cache=shared";
            keeper = DriverManager.getConnection(raw);
            try (Statement s = keeper.createStatement()) {
                s.execute("CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT)");
                s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000)"
                        + " INSERT INTO kv SELECT x, 'value-' || x FROM n");
                s.execute("CREATE TABLE wide(a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER, f TEXT, g TEXT, h TEXT, i REAL, j REAL)");
                s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000)"
                        + " INSERT INTO wide SELECT x, x, x, x, x, 'f' || x, 'g' || x, 'h' || x, x * 0.5, x * 0.25 FROM n");
            }
            connection = DriverManager.getConnection(Sides.url(side, raw));
            pointSelect = connection.prepareStatement("SELECT v FROM kv WHERE k = ?");
            statement = connection.createStatement();
        }

        @TearDown(Level.Trial)
        public void close() throws SQLException {
            connection.close();
            keeper.close();
        }
    }

    @Benchmark
    public String sqlitePreparedPointSelect(Db db) throws SQLException {
        db.pointSelect.setInt(1, 1 + (db.key++ & 1023) % 1000);
        try (ResultSet rs = db.pointSelect.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Benchmark
    public void sqliteScan1000x10(Db db, Blackhole bh) throws SQLException {
        Sides.readWide(db.statement, bh);
    }
}
