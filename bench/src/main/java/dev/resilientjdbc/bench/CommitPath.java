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
 * What making a lost COMMIT resolvable costs on the smallest writing transaction (one UPDATE, then
 * COMMIT), where it weighs most: raw; through resilient-jdbc with its defaults (the commit marker: the
 * connection's marker row updated and COMMIT in one round trip, so the cost is the server's work on one
 * more row); and with {@code resilient.indoubt.marker=false} (the transaction id and the server's start
 * time, one round trip more before COMMIT). Both a crash-safe server ({@code fsync} and
 * {@code synchronous_commit} on, where COMMIT waits for the disk) and the testkit's fast one
 * ({@code fsync=off}), where what the driver adds weighs most.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommitPath {

    @State(Scope.Benchmark)
    public static class Tx {
        @Param({"raw", "resilient", "resilient-nomarker"})
        public String side;
        @Param({"false", "true"})
        public boolean crashSafe;
        PgServer server;
        Connection connection;
        PreparedStatement update;
        int key;

        @Setup(Level.Trial)
        public void start() throws SQLException {
            server = PgServer.builder().crashSafe(crashSafe).build().start();
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL) WITH (fillfactor = 50)");
                s.execute("INSERT INTO account SELECT g, 1000 FROM generate_series(1, 1000) g");
            }
            connection = DriverManager.getConnection(Sides.url(side, server.jdbcUrl() + "?user=postgres"));
            connection.setAutoCommit(false);
            update = connection.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
        }

        /** Thousands of updates a second on 1,000 rows (and marker rows) leave dead versions faster than autovacuum clears them. */
        @Setup(Level.Iteration)
        public void vacuum() throws SQLException {
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("VACUUM");
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws SQLException {
            connection.close();
            server.close();
        }
    }

    @Benchmark
    public int writeAndCommit(Tx tx) throws SQLException {
        tx.update.setLong(1, (tx.key & 1) == 0 ? 1 : -1);
        tx.update.setInt(2, 1 + (tx.key++ % 1000));
        int n = tx.update.executeUpdate();
        tx.connection.commit();
        return n;
    }
}
