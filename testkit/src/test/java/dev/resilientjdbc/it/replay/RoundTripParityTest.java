package dev.resilientjdbc.it.replay;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import dev.resilientjdbc.testkit.pg.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Safety rule 11, measured: with a fixed delay on every message in each direction (the chaos proxy,
 * 25 ms; the CPU a loaded machine adds is then a small part), time is round trips, so a healthy application must take the same time through
 * {@code jdbc:resilient:} (default options) as through the raw driver. The oracle is the raw driver
 * through the same proxy, making the same calls; the fastest of interleaved runs.
 */
@PgTest
@org.junit.jupiter.api.Timeout(300)
class RoundTripParityTest {
    // Long enough that the CPU a loaded machine adds (a few ms per operation on our side or raw's) stays a few per
    // cent of a round trip: with 10 ms, CI's neighbours alone took the writing transaction to 1.09.
    private static final Duration DELAY = Duration.ofMillis(25);
    private static final int RUNS = 11;
    private static PgServer pg;
    private static ChaosProxy proxy;

    @FunctionalInterface
    interface Op {
        void run(Connection c) throws SQLException;
    }

    @BeforeAll
    static void start(PgServer server, ChaosProxy chaos) throws SQLException {
        pg = server;
        proxy = chaos;
        proxy.reset();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl() + "?user=postgres"); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS rt_t");
            s.execute("CREATE TABLE rt_t(id serial PRIMARY KEY, v int)");
            s.execute("DROP TABLE IF EXISTS rt_acct");
            s.execute("CREATE TABLE rt_acct(id int PRIMARY KEY, balance bigint NOT NULL)");
            s.execute("INSERT INTO rt_acct SELECT g, 1000000 FROM generate_series(1, 2) g");
            s.execute("DROP TABLE IF EXISTS rt_journal");
            s.execute("CREATE TABLE rt_journal(id text PRIMARY KEY, from_id int, to_id int, amount bigint)");
        }
    }

    @AfterAll
    static void stop() {
        proxy.reset();
    }

    private static String raw() {
        return PostgresExtension.proxiedUrl(pg, proxy) + "?user=postgres";
    }

    private static String resilient(String options) {
        return raw().replace("jdbc:", "jdbc:resilient:") + options;
    }

    private static final Op WRITING_TRANSACTION = c -> {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rt_t(v) VALUES (?)");
             Statement s = c.createStatement()) {
            ps.setInt(1, 1);
            ps.executeUpdate();
            s.executeUpdate("UPDATE rt_t SET v = v + 1 WHERE id = 1");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM rt_t")) {
                rs.next();
            }
        }
        c.commit();
    };

    private static final Op READ_ONLY_TRANSACTION = c -> {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM rt_t WHERE id = 1")) {
            rs.next();
        }
        c.commit();
    };

    /**
     * The demo ledger's transfer, as an application writes it: both rows read FOR UPDATE through one reused
     * statement, both moved through another, a journal row, COMMIT, then autocommit back on.
     */
    private static final Op TRANSFER = c -> {
        c.setAutoCommit(false);
        try (PreparedStatement read = c.prepareStatement("SELECT balance FROM rt_acct WHERE id = ? FOR UPDATE")) {
            for (int id = 1; id <= 2; id++) {
                read.setInt(1, id);
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                }
            }
        }
        try (PreparedStatement move = c.prepareStatement("UPDATE rt_acct SET balance = balance + ? WHERE id = ?")) {
            move.setLong(1, -1);
            move.setInt(2, 1);
            move.executeUpdate();
            move.setLong(1, 1);
            move.setInt(2, 2);
            move.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rt_journal VALUES (?, ?, ?, ?)")) {
            ps.setString(1, java.util.UUID.randomUUID().toString());
            ps.setInt(2, 1);
            ps.setInt(3, 2);
            ps.setLong(4, 1);
            ps.executeUpdate();
        }
        c.commit();
        c.setAutoCommit(true);
    };

    private static final Op AUTOCOMMIT_WRITE = c -> {
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rt_t(v) VALUES (?)")) {
            ps.setInt(1, 2);
            ps.executeUpdate();
        }
    };

    @Test
    void aWritingTransactionTakesTheRawRoundTrips() throws Exception {
        assertParity("three-statement writing transaction", WRITING_TRANSACTION, "", 1.05);
    }

    @Test
    void aLedgerTransferTakesTheRawRoundTrips() throws Exception {
        assertParity("ledger transfer (reads FOR UPDATE, two moves, a journal row)", TRANSFER, "", 1.05);
    }

    @Test
    void aReadOnlyTransactionTakesTheRawRoundTrips() throws Exception {
        assertParity("read-only transaction", READ_ONLY_TRANSACTION, "", 1.05);
    }

    /**
     * An exactly-once autocommit write goes with its marker write in one exchange (the implicit transaction of one
     * round trip): the raw driver's one round trip, once the connection's marker row is there (its first write
     * upserts the row in a transaction of its own, part of the warm-up).
     */
    @Test
    void anExactlyOnceAutocommitWriteTakesTheRawRoundTrips() throws Exception {
        assertParity("exactly-once autocommit write", AUTOCOMMIT_WRITE, "&resilient.autocommit.exactlyOnce=true", 1.05);
    }

    @Test
    void aPoolBorrowQueryCloseTakesTheRawRoundTrips() throws Exception {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(raw());
        cfg.setMaximumPoolSize(2);
        cfg.setPoolName("rt-raw");
        String url = resilient("&resilient.pool=true&resilient.pool.maxSize=2");
        try (HikariDataSource rawPool = new HikariDataSource(cfg)) {
            proxy.latency(DELAY);
            try {
                double[] ratio = ratio(() -> time(rawPool::getConnection, READ_ONLY_TRANSACTION),
                        () -> time(() -> DriverManager.getConnection(url), READ_ONLY_TRANSACTION));
                report("pool borrow + read-only transaction + close", ratio);
                assertTrue(ratio[2] <= 1.05, () -> "pool borrow: resilient/raw = " + ratio[2]);
            } finally {
                proxy.reset();
            }
        }
    }

    private void assertParity(String what, Op op, String options, double limit) throws Exception {
        try (Connection raw = DriverManager.getConnection(raw());
             Connection res = DriverManager.getConnection(resilient(options))) {
            proxy.latency(DELAY);
            try {
                double[] ratio = ratio(() -> time(raw, op), () -> time(res, op));
                report(what, ratio);
                assertTrue(ratio[2] <= limit, () -> what + ": resilient/raw = " + ratio[2] + ", limit " + limit);
            } finally {
                proxy.reset();
            }
        }
    }

    @FunctionalInterface
    interface Timed {
        long nanos() throws SQLException;
    }

    @FunctionalInterface
    interface Source {
        Connection get() throws SQLException;
    }

    /** Time of one op on a connection held for the whole test. */
    private static long time(Connection c, Op op) throws SQLException {
        long t0 = System.nanoTime();
        op.run(c);
        return System.nanoTime() - t0;
    }

    /** Time of one borrow, op and close (the connection goes back to its pool). */
    private static long time(Source source, Op op) throws SQLException {
        long t0 = System.nanoTime();
        try (Connection c = source.get()) {
            op.run(c);
        }
        return System.nanoTime() - t0;
    }

    /**
     * Fastest of raw and of resilient, interleaved after a warm-up, and their ratio. A machine's other work only
     * ever adds time to a run, so the fastest run is the one made of round trips alone; a round trip more on
     * every run shows in it just as in the median.
     */
    private static double[] ratio(Timed raw, Timed resilient) throws SQLException {
        for (int i = 0; i < 3; i++) {
            raw.nanos();
            resilient.nanos();
        }
        long[] r = new long[RUNS];
        long[] s = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            r[i] = raw.nanos();
            s[i] = resilient.nanos();
        }
        Arrays.sort(r);
        Arrays.sort(s);
        double rawMs = r[0] / 1e6;
        double resMs = s[0] / 1e6;
        return new double[]{rawMs, resMs, resMs / rawMs};
    }

    private static void report(String what, double[] ratio) {
        System.out.printf("round trips, %s: raw %.1f ms, resilient %.1f ms, ratio %.3f%n", what, ratio[0], ratio[1], ratio[2]);
    }
}
