package dev.resilientjdbc.it.legacy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The workload every legacy app runs, written as an application that never heard of failures
 * would: autocommit reads and single-row inserts with unique keys, each error counted and moved past.
 *
 * <p>Protocol with whoever started the process: after the first ten operations it prints
 * {@code READY}, then {@code OPS n} every ten; it keeps going until it has read {@code FINISH} on
 * stdin and done at least {@code minOps} operations, then prints
 * {@code SUMMARY ok=.. errors=.. unknown=.. inserted=.. firstError=..} and exits. Inserts whose
 * outcome the driver reports unknown (SQLState 08007) are counted apart, as {@code unknown}.
 */
public final class LegacyWorkload {
    /** Where the app gets a connection and what it does with it afterwards. */
    public interface ConnectionSource extends AutoCloseable {
        Connection get() throws SQLException;

        /** Per-request apps close it; apps that hold one connection for life keep it. */
        void done(Connection c) throws SQLException;

        @Override
        default void close() throws Exception {}
    }

    private LegacyWorkload() {}

    /** {@code args}: run id (prefix of the inserted keys), minimum number of operations. */
    public static void run(ConnectionSource source, String runId, int minOps) throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        Thread stdin = new Thread(() -> awaitFinish(finish), "legacy-stdin");
        stdin.setDaemon(true);
        stdin.start();
        int ok = 0;
        int errors = 0;
        int unknown = 0;
        int inserted = 0;
        String firstError = "none";
        for (int i = 0; i < minOps || finish.getCount() > 0; i++) {
            boolean write = i % 2 == 1;
            try {
                Connection c = source.get();
                try {
                    if (write) {
                        try (PreparedStatement ps = c.prepareStatement("INSERT INTO legacy_ops(k, run) VALUES (?, ?)")) {
                            ps.setString(1, runId + "-" + i);
                            ps.setString(2, runId);
                            ps.executeUpdate();
                        }
                        inserted++;
                    } else {
                        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM legacy_ops WHERE run = ?")) {
                            ps.setString(1, runId);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                rs.getLong(1);
                            }
                        }
                    }
                    ok++;
                } finally {
                    source.done(c);
                }
            } catch (SQLException e) {
                if (write && "08007".equals(e.getSQLState())) {
                    unknown++;
                } else {
                    errors++;
                    if (errors == 1) {
                        firstError = e.getSQLState() + ":" + e.getMessage().replace('\n', ' ');
                    }
                }
            }
            if (i == 9) {
                System.out.println("READY");
            } else if (i > 9 && i % 10 == 9) {
                System.out.println("OPS " + (i + 1));
            }
            // Think time of a request-driven app, so the run spans the faults the test applies.
            if (finish.getCount() > 0) {
                finish.await(5, TimeUnit.MILLISECONDS);
            }
        }
        source.close();
        System.out.println("SUMMARY ok=" + ok + " errors=" + errors + " unknown=" + unknown + " inserted=" + inserted
                + " firstError=" + firstError);
        System.out.flush();
    }

    private static void awaitFinish(CountDownLatch finish) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.trim().equals("FINISH")) {
                    break;
                }
            }
        } catch (Exception ignored) {
            // stdin gone: the parent died; finish as if told to
        }
        finish.countDown();
    }
}
