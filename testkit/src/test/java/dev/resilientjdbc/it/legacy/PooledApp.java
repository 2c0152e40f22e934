package dev.resilientjdbc.it.legacy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application server in miniature: a HikariCP pool that keeps {@code size} connections (minimum idle =
 * maximum, as many production pools are set) and as many threads borrowing one per request. Prints
 * {@code READY} once it has served as many requests as it has threads, then {@code PROGRESS ops errors} every 100 ms;
 * {@code STOP} on stdin ends it with {@code SUMMARY ops errors {sqlstate=count}}. Args: url size.
 */
public final class PooledApp {
    private PooledApp() {}

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[1]);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setUsername("postgres");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(30_000);
        config.setInitializationFailTimeout(-1);
        config.setPoolName("storm-pool");
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Map<String, Integer> states = new TreeMap<>();
        List<Thread> workers = new ArrayList<>();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            for (int i = 0; i < size; i++) {
                Thread t = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class")) {
                            rs.next();
                            ops.incrementAndGet();
                        } catch (SQLException e) {
                            if (Thread.currentThread().isInterrupted()) {
                                return;
                            }
                            errors.incrementAndGet();
                            synchronized (states) {
                                states.merge(String.valueOf(e.getSQLState()), 1, Integer::sum);
                            }
                        }
                    }
                }, "storm-worker-" + i);
                t.setDaemon(true);
                workers.add(t);
                t.start();
            }
            while (ops.get() < size) {
                Thread.sleep(10);
            }
            System.out.println("READY");
            Thread reporter = new Thread(() -> {
                while (true) {
                    System.out.println("PROGRESS " + ops.get() + " " + errors.get());
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "storm-reporter");
            reporter.setDaemon(true);
            reporter.start();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
                // wait for STOP
            }
            workers.forEach(Thread::interrupt);
            reporter.interrupt();
            synchronized (states) {
                System.out.println("SUMMARY " + ops.get() + " " + errors.get() + " " + states);
            }
        }
    }
}
