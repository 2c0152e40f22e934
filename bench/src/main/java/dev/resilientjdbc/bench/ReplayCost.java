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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * What recording a transaction for replay costs: a 10-statement transaction (5 point selects, 5
 * updates, commit) on PostgreSQL, raw, through resilient-jdbc with recording on (the default), and
 * with recording off ({@code resilient.replay.maxBytes=0}). With recording on, a writing COMMIT also
 * asks the server for its transaction id first (one extra round trip), so an in-doubt COMMIT can be
 * resolved later.
 */
// Sampled, and read at the median: a PostgreSQL on the same two cores (autovacuum, checkpoints) puts rare
// slow outliers into any average; the median is what an application sees per call.
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReplayCost {

    @State(Scope.Benchmark)
    public static class Tx {
        @Param({"raw", "resilient", "resilient-noreplay"})
        public String side;
        PgServer server;
        Connection connection;
        PreparedStatement select;
        PreparedStatement update;
        int key;

        @Setup(Level.Trial)
        public void start() throws SQLException {
            server = PgServer.builder().build().start();
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL) WITH (fillfactor = 50)");
                s.execute("INSERT INTO account SELECT g, 1000 FROM generate_series(1, 1000) g");
            }
            connection = DriverManager.getConnection(Sides.url(side, server.jdbcUrl() + "?user=postgres"));
            connection.setAutoCommit(false);
            select = connection.prepareStatement("SELECT balance FROM account WHERE id = ?");
            update = connection.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
        }

        /** Thousands of updates a second on 1,000 rows leave dead row versions faster than autovacuum clears them. */
        @Setup(Level.Iteration)
        public void vacuum() throws SQLException {
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("VACUUM account");
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws SQLException {
            connection.close();
            server.close();
        }
    }

    @Benchmark
    public long tenStatementTransaction(Tx tx) throws SQLException {
        long sum = 0;
        for (int i = 0; i < 5; i++) {
            int id = 1 + (tx.key++ % 1000);
            tx.select.setInt(1, id);
            try (ResultSet rs = tx.select.executeQuery()) {
                rs.next();
                sum += rs.getLong(1);
            }
            tx.update.setLong(1, i % 2 == 0 ? 1 : -1);
            tx.update.setInt(2, id);
            sum += tx.update.executeUpdate();
        }
        tx.connection.commit();
        return sum;
    }
}
