package dev.resilientjdbc.bench;

import dev.resilientjdbc.control.pg.PgServer;
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
 * The hot path of resilient-jdbc against the raw driver, same fork, same server: {@code side} is
 * {@code raw}, {@code resilient} (metrics on) or {@code resilient-nometrics}. Ratios, not absolute
 * numbers, are what count (bench/RESULTS.md).
 */
// Sampled, and read at the median: a PostgreSQL on the same two cores (autovacuum, checkpoints) puts rare
// slow outliers into any average; the median is what an application sees per call.
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JdbcOverhead {

    /** One embedded PostgreSQL per fork, and connections for each side. */
    @State(Scope.Benchmark)
    public static class Pg {
        @Param({"raw", "resilient", "resilient-nometrics"})
        public String side;
        PgServer server;
        Connection connection;
        PreparedStatement pointSelect;
        PreparedStatement insert;
        Statement statement;
        int key;

        @Setup(Level.Trial)
        public void start() throws SQLException {
            server = PgServer.builder().build().start();
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kv(k int PRIMARY KEY, v text)");
                s.execute("INSERT INTO kv SELECT g, 'value-' || g FROM generate_series(1, 1000) g");
                s.execute("CREATE TABLE wide AS SELECT g AS a, g AS b, g AS c, g AS d, g AS e, 'f' || g AS f, 'g' || g AS g2,"
                        + " 'h' || g AS h, g * 0.5 AS i, g * 0.25 AS j FROM generate_series(1, 1000) g");
                s.execute("CREATE TABLE sink(a int, b text)");
            }
            connection = DriverManager.getConnection(Sides.url(side, server.jdbcUrl() + "?user=postgres"));
            pointSelect = connection.prepareStatement("SELECT v FROM kv WHERE k = ?");
            insert = connection.prepareStatement("INSERT INTO sink VALUES (?, ?)");
            statement = connection.createStatement();
        }

        @TearDown(Level.Trial)
        public void stop() throws SQLException {
            connection.close();
            server.close();
        }
    }

    @Benchmark
    public String postgresPreparedPointSelect(Pg pg) throws SQLException {
        pg.pointSelect.setInt(1, 1 + (pg.key++ & 1023) % 1000);
        try (ResultSet rs = pg.pointSelect.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Benchmark
    public void postgresScan1000x10(Pg pg, Blackhole bh) throws SQLException {
        Sides.readWide(pg.statement, bh);
    }

    @Benchmark
    public int[] postgresBatchInsert1000(Pg pg) throws SQLException {
        for (int i = 0; i < 1000; i++) {
            pg.insert.setInt(1, i);
            pg.insert.setString(2, "row");
            pg.insert.addBatch();
        }
        return pg.insert.executeBatch();
    }
}
