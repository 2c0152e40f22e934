package dev.resilientjdbc.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.ResilientDriver;
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
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Borrowing a connection and giving it back: {@code DriverManager.getConnection + close} through
 * {@code resilient.pool=true}, against HikariCP used directly (same size, no metrics) and the raw
 * driver unpooled, and HikariCP over {@code jdbc:resilient:} (an application's own pool, URL swapped); with and without one {@code SELECT 1} per borrow. {@code driverManagerAlone}
 * measures what DriverManager itself costs (a driver that hands out one ready object), the floor
 * under any driver reached through it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PoolCycle {

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"hikari-direct", "hikari-over-resilient", "resilient-pool", "resilient-pool-nometrics", "resilient-datasource", "raw-unpooled"})
        public String side;
        PgServer server;
        HikariDataSource hikari;
        dev.resilientjdbc.ResilientDataSource dataSource;
        String url;

        @Setup(Level.Trial)
        public void start() {
            server = PgServer.builder().build().start();
            String raw = server.jdbcUrl() + "?user=postgres";
            switch (side) {
                case "hikari-direct":
                case "hikari-over-resilient":
                    HikariConfig c = new HikariConfig();
                    // The application's own HikariCP, given the raw URL or the same URL through resilient-jdbc.
                    c.setJdbcUrl(side.equals("hikari-direct") ? raw : Sides.url("resilient", raw));
                    c.setMaximumPoolSize(4);
                    c.setMinimumIdle(4);
                    hikari = new HikariDataSource(c);
                    break;
                case "resilient-pool":
                case "resilient-pool-nometrics":
                    url = Sides.url(side.equals("resilient-pool") ? "resilient" : "resilient-nometrics", raw)
                            + "&resilient.pool=true&resilient.pool.maxSize=4&resilient.pool.minIdle=4";
                    break;
                case "resilient-datasource":
                    // The same embedded pool reached through ResilientDataSource: no DriverManager on the way.
                    dataSource = new dev.resilientjdbc.ResilientDataSource(Sides.url("resilient", raw)
                            + "&resilient.pool=true&resilient.pool.maxSize=4&resilient.pool.minIdle=4");
                    break;
                default:
                    url = raw;
            }
        }

        Connection borrow() throws SQLException {
            return hikari != null ? hikari.getConnection() : dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url);
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (hikari != null) {
                hikari.close();
            }
            ResilientDriver.targets().close();
            server.close();
        }
    }

    @Benchmark
    public Connection borrowAndClose(Pool pool) throws SQLException {
        Connection c = pool.borrow();
        c.close();
        return c;
    }

    @Benchmark
    public int borrowQueryClose(Pool pool) throws SQLException {
        try (Connection c = pool.borrow(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** DriverManager with a driver that does nothing: what getConnection costs before any driver works. */
    @State(Scope.Benchmark)
    public static class Floor {
        final Connection ready = (Connection) java.lang.reflect.Proxy.newProxyInstance(PoolCycle.class.getClassLoader(),
                new Class<?>[]{Connection.class}, (p, m, a) -> null);
        final Driver noop = new Driver() {
            @Override
            public Connection connect(String u, Properties info) {
                return acceptsURL(u) ? ready : null;
            }

            @Override
            public boolean acceptsURL(String u) {
                return u.startsWith("jdbc:bench-noop:");
            }

            @Override
            public DriverPropertyInfo[] getPropertyInfo(String u, Properties info) {
                return new DriverPropertyInfo[0];
            }

            @Override
            public int getMajorVersion() {
                return 1;
            }

            @Override
            public int getMinorVersion() {
                return 0;
            }

            @Override
            public boolean jdbcCompliant() {
                return false;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getLogger("bench");
            }
        };

        @Setup(Level.Trial)
        public void register() throws SQLException {
            DriverManager.registerDriver(noop);
        }

        @TearDown(Level.Trial)
        public void deregister() throws SQLException {
            DriverManager.deregisterDriver(noop);
        }
    }

    @Benchmark
    public Connection driverManagerAlone(Floor floor) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:bench-noop:x");
        c.close();
        return c;
    }

    // As long as the resilient-pool side's URL: DriverManager concatenates the URL into its log lines whether or not
    // logging is on, so its own cost grows with the URL's length.
    private static final String NOOP_AS_LONG = "jdbc:bench-noop:" + "x".repeat(Sides.url("resilient",
            "jdbc:postgresql://localhost:54321/postgres?user=postgres").length()
            + "&resilient.pool=true&resilient.pool.maxSize=4&resilient.pool.minIdle=4".length() - "jdbc:bench-noop:".length());

    /** {@link #driverManagerAlone} with a URL as long as the resilient-pool side's. */
    @Benchmark
    public Connection driverManagerAloneSameUrlLength(Floor floor) throws SQLException {
        Connection c = DriverManager.getConnection(NOOP_AS_LONG);
        c.close();
        return c;
    }
}
