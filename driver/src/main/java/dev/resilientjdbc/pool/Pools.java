package dev.resilientjdbc.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes the embedded HikariCP pools behind {@code resilient.pool=true}: one per target and pool key
 * (real URL, user, the other connection properties and the pool settings). The target that asked for
 * a pool owns it and closes it; nothing here keeps a pool.
 */
public final class Pools {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.pool");
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Pools() {}


    /** A new pool whose connections come from {@code opener}; HikariCP's own metrics go to {@code metrics} when given. */
    public static HikariDataSource create(dev.resilientjdbc.connection.PhysicalOpener opener, PoolSettings settings, String targetName,
                                          com.codahale.metrics.MetricRegistry metrics) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("resilient-pool-" + SEQ.incrementAndGet());
        c.setDataSource(new PhysicalDataSource(opener, targetName));
        c.setMaximumPoolSize(settings.maxSize);
        c.setMinimumIdle(settings.minIdle);
        c.setConnectionTimeout(settings.connectionTimeout.toMillis());
        c.setIdleTimeout(settings.idleTimeout.toMillis());
        c.setMaxLifetime(settings.maxLifetime.toMillis());
        c.setValidationTimeout(settings.validationTimeout.toMillis());
        c.setLeakDetectionThreshold(settings.leakDetectionThreshold.toMillis());
        if (metrics != null) {
            lockFreeHikariTimers(metrics, c.getPoolName());
            c.setMetricRegistry(metrics); // HikariCP's own pool metrics, beside ours
        }
        // A pool must never stop the application from starting while the database is down.
        c.setInitializationFailTimeout(-1);
        LOG.log(Level.INFO, "resilient-jdbc: pool {0} for {1}, up to {2} connections",
                new Object[]{c.getPoolName(), targetName, settings.maxSize});
        return new HikariDataSource(c);
    }

    /**
     * HikariCP asks the registry for its wait timer and usage histograms by name and takes what is
     * there: registered first, they get our cheap timer and reservoir of the last 1,024 values instead of
     * Dropwizard's decaying one (a clock read, an exp() and mostly a skip-list insert on every borrow and
     * return, issue 28). HikariCP removes them when the pool closes.
     */
    private static void lockFreeHikariTimers(com.codahale.metrics.MetricRegistry metrics, String poolName) {
        metrics.timer(com.codahale.metrics.MetricRegistry.name(poolName, "pool", "Wait"), dev.resilientjdbc.metrics.CallTimer::new);
        for (String h : new String[]{"Usage", "ConnectionCreation"}) {
            metrics.histogram(com.codahale.metrics.MetricRegistry.name(poolName, "pool", h),
                    () -> new com.codahale.metrics.Histogram(new dev.resilientjdbc.metrics.RecentReservoir(1024)));
        }
    }

    // The password takes part in the key only as a digest, so it never sits in a map key in the clear.
    /** What tells pools apart: real URL, connection properties (a password only as its digest) and pool settings. */
    public static String keyOf(String realUrl, Properties realInfo, PoolSettings settings) {
        StringBuilder sb = new StringBuilder(realUrl).append('|').append(settings.key());
        for (String name : new java.util.TreeSet<>(realInfo.stringPropertyNames())) {
            String value = realInfo.getProperty(name);
            sb.append('|').append(name).append('=').append(name.toLowerCase(java.util.Locale.ROOT).contains("password") ? digest(value) : value);
        }
        return sb.toString();
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
