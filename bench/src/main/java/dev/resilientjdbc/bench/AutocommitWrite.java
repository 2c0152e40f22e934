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

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * One autocommit INSERT on PostgreSQL: raw, through resilient-jdbc (a lost reply would be 08007),
 * and with {@code resilient.autocommit.exactlyOnce=true} (its own transaction: the transaction id and
 * COMMIT are two more round trips, and a lost reply is resolved).
 */
// Sampled and read at the median, as the other PostgreSQL benchmarks.
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AutocommitWrite {

    @State(Scope.Benchmark)
    public static class Db {
        @Param({"raw", "resilient", "resilient-exactlyonce"})
        public String side;
        PgServer server;
        Connection connection;
        PreparedStatement insert;
        int n;

        @Setup(Level.Trial)
        public void start() throws SQLException {
            server = PgServer.builder().build().start();
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE events(id int, payload text)");
            }
            connection = DriverManager.getConnection(Sides.url(side, server.jdbcUrl() + "?user=postgres"));
            insert = connection.prepareStatement("INSERT INTO events VALUES (?, ?)");
        }

        @TearDown(Level.Trial)
        public void stop() throws SQLException {
            connection.close();
            server.close();
        }
    }

    @Benchmark
    public int autocommitInsert(Db db) throws SQLException {
        db.insert.setInt(1, db.n++);
        db.insert.setString(2, "event");
        return db.insert.executeUpdate();
    }
}
