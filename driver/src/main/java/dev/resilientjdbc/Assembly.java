package dev.resilientjdbc;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.classify.Classifiers;
import dev.resilientjdbc.classify.Dialect;
import dev.resilientjdbc.classify.FailureClassifier;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.health.TargetHealth;
import dev.resilientjdbc.metrics.MetricsTracker;
import dev.resilientjdbc.metrics.MicrometerHook;
import dev.resilientjdbc.metrics.TargetMeters;
import dev.resilientjdbc.metrics.ResilientMetrics;
import dev.resilientjdbc.pool.PoolSettings;
import dev.resilientjdbc.pool.Pools;
import dev.resilientjdbc.proxy.ProxyFactory;
import dev.resilientjdbc.reconnect.InDoubt;
import dev.resilientjdbc.reconnect.LogicalConnection;
import dev.resilientjdbc.reconnect.PostgresInDoubt;
import dev.resilientjdbc.reconnect.TransactionGate;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RetrySettings;
import dev.resilientjdbc.target.Target;
import dev.resilientjdbc.target.TargetRegistry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Puts a resilient connection together: classifier, retrier and breaker of the target, pool,
 * metrics and health as configured, a logical connection over physical connections from a source,
 * and its proxy. Used by {@link ResilientDriver} and by the java agent; unlike the driver class it
 * registers nothing, so a relocated copy inside the agent stays out of DriverManager.
 */
public final class Assembly {
    private Assembly() {}

    /** Opens one physical connection the way the application would have, without us. */
    @FunctionalInterface
    public interface PhysicalSource {
        Connection open() throws SQLException;
    }

    /**
     * A resilient connection to {@code realUrl}: classifier, retrier and breaker of the target, pool,
     * metrics and health as configured, a logical connection over physical connections from
     * {@code physical}, and its proxy. The target and what it starts belong to {@code targets}.
     */
    public static Connection connection(TargetRegistry targets, ResilientConfig config, String realUrl, Properties realInfo,
                                        PhysicalSource physical) throws SQLException {
        return recipe(targets, config, realUrl, realInfo, physical).connect();
    }

    /**
     * Everything about connections to a target that does not change from one connection to the next,
     * worked out once: the driver keeps it per URL and properties, so a connect through a pool costs a
     * lookup and a borrow, not a configuration pass.
     */
    public static Recipe recipe(TargetRegistry targets, ResilientConfig config, String realUrl, Properties realInfo,
                                PhysicalSource physical) throws SQLException {
        return new Recipe(targets, config, realUrl, realInfo, physical);
    }

    /** How to open a resilient connection to one real URL with one set of properties and configuration. */
    public static final class Recipe {
        private final TargetRegistry targets;
        private final ResilientConfig config;
        private final String realUrl;
        private final PhysicalSource physical;
        private final RetrySettings settings;
        private final FailureClassifier classifier;
        private final String metricsName;
        private final String targetName;
        private final PoolSettings poolSettings;
        private final String poolKey;
        private final InDoubt inDoubt;
        private final long replayMaxBytes;
        private final boolean metricsEnabled;
        private final TargetHealth.HealthSettings health;
        private final int httpPort;
        private final String registryName;
        private final boolean jmx;
        private final boolean micrometerGlobal;
        private final boolean serializeSqlite;
        private final boolean exactlyOnceWrites;
        private final java.time.Duration gateWait;
        // Made once: the health checks' way to open a connection (a lambda per connect otherwise).
        private final TargetHealth.Probe probe;
        // The target and a retrier on its guard; replaced when the registry closed the target.
        private volatile Bound bound;
        private volatile boolean prepared;

        private Recipe(TargetRegistry targets, ResilientConfig config, String realUrl, Properties realInfo, PhysicalSource physical)
                throws SQLException {
            this.targets = targets;
            this.config = config;
            this.realUrl = realUrl;
            this.physical = physical;
            Dialect d = dialect(config, realUrl);
            this.settings = RetrySettings.from(config).withLoginTimeout(loginTimeout(d, realUrl, realInfo));
            this.classifier = Classifiers.forDialect(d, config.get(ResilientOptions.CLASSIFY_OVERRIDES),
                    d == Dialect.POSTGRESQL ? pgjdbcSetting(realUrl, realInfo, "localSocketAddress") : null);
            this.targetName = targetName(realUrl, realInfo);
            this.metricsName = ResilientMetrics.targetName(realUrl);
            this.metricsEnabled = config.get(ResilientOptions.METRICS_ENABLED);
            this.poolSettings = config.get(ResilientOptions.POOL) ? PoolSettings.from(config) : null;
            this.poolKey = poolSettings != null ? Pools.keyOf(realUrl, realInfo, poolSettings) : null;
            this.inDoubt = d == Dialect.POSTGRESQL
                    ? new PostgresInDoubt(config.get(ResilientOptions.INDOUBT_MARKER) ? config.get(ResilientOptions.INDOUBT_MARKER_TABLE) : null)
                    : InDoubt.NONE;
            this.replayMaxBytes = config.get(ResilientOptions.REPLAY_MAX_BYTES);
            this.health = TargetHealth.HealthSettings.from(config);
            this.httpPort = config.get(ResilientOptions.HTTP_PORT);
            this.registryName = config.get(ResilientOptions.METRICS_REGISTRY);
            this.jmx = config.get(ResilientOptions.METRICS_JMX);
            this.micrometerGlobal = config.get(ResilientOptions.METRICS_MICROMETER);
            this.serializeSqlite = config.get(ResilientOptions.SQLITE_SERIALIZE_TRANSACTIONS);
            // Only where the database can say what became of a transaction; elsewhere it would cost and resolve nothing.
            this.exactlyOnceWrites = config.get(ResilientOptions.AUTOCOMMIT_EXACTLY_ONCE) && inDoubt != InDoubt.NONE;
            this.gateWait = config.get(ResilientOptions.RETRY_MAX_DURATION);
            this.probe = () -> nonNull(physical.open(), realUrl);
        }

        /** The target and its retrier; looked up again once the registry closed the one we had. */
        private Bound bound() {
            Bound b = bound;
            if (b == null || b.target.isClosed()) {
                Target t = targets.target(targetName, settings, metricsName);
                Retrier r = new Retrier(settings, classifier, t.guard());
                b = new Bound(t, r, () -> r.connectForPool(probe::open), () -> r.connect(probe::open));
                bound = b;
            }
            return b;
        }

        /** The dialect's one-off setup (the commit marker table) on the target's first connection; tried again until it works. */
        private void prepareOnce(Connection first) throws SQLException {
            if (prepared) {
                return;
            }
            try {
                inDoubt.prepare(first);
                prepared = true;
            } catch (SQLException e) {
                try {
                    first.close();
                } catch (SQLException ignored) {
                    // the setup failure is what the application needs to see
                }
                throw e;
            }
        }

        /** A new resilient connection. What the target starts (metrics, pool, health) is made once and then looked up. */
        public Connection connect() throws SQLException {
            Bound b = bound();
            Target target = b.target;
            Retrier retrier = b.retrier;
            MetricRegistry metrics = null;
            MetricsTracker tracker = null;
            if (metricsEnabled) {
                metrics = ResilientMetrics.registry(registryName);
                tracker = target.metrics(metrics);
                if (jmx) {
                    targets.startJmx(metrics);
                }
            }
            TargetMeters meters = MicrometerHook.forConnect(micrometerGlobal);
            if (meters != null) {
                target.meters(meters);
            }
            HikariDataSource pool = poolKey != null ? target.pool(poolKey, b.poolOpener, poolSettings, targetName, metrics) : null;
            LogicalConnection.Opener opener = pool != null ? b.pooled(pool) : b.direct;
            target.watch(probe, pool, health);
            if (httpPort > 0) {
                targets.startHttp(config.get(ResilientOptions.HTTP_BIND), httpPort, config.get(ResilientOptions.HTTP_TOKEN),
                        tracker != null ? tracker.registry() : ResilientMetrics.registry(registryName));
            }
            Connection first = opener.open();
            prepareOnce(first);
            LogicalConnection logical = new LogicalConnection(first, retrier, opener, replayMaxBytes, inDoubt);
            if (serializeSqlite) {
                logical.gate(TransactionGate.forSqlite(realUrl, gateWait));
            }
            logical.exactlyOnceWrites(exactlyOnceWrites);
            logical.onRelease(targets.connectionOpened(target));
            return ProxyFactory.connection(logical);
        }

        /** A target and what connects to it, made once per target rather than once per connect. */
        private static final class Bound {
            final Target target;
            final Retrier retrier;
            // How the target's pool opens its physical connections, and how an unpooled connection opens one.
            final Pools.PhysicalOpener poolOpener;
            final LogicalConnection.Opener direct;
            // Borrows from the target's pool; a target keeps one pool per key until it closes (then a new Bound is made).
            private volatile PooledOpener pooled;

            Bound(Target target, Retrier retrier, Pools.PhysicalOpener poolOpener, LogicalConnection.Opener direct) {
                this.target = target;
                this.retrier = retrier;
                this.poolOpener = poolOpener;
                this.direct = direct;
            }

            LogicalConnection.Opener pooled(HikariDataSource pool) {
                PooledOpener p = pooled;
                if (p == null || p.pool != pool) {
                    p = new PooledOpener(pool, retrier);
                    pooled = p;
                }
                return p;
            }
        }
    }

    /**
     * The application's login timeout for this target: pgjdbc's {@code loginTimeout} property (seconds,
     * from the properties or the URL), else {@code DriverManager.getLoginTimeout()}; null when none is set.
     */
    static java.time.Duration loginTimeout(Dialect d, String realUrl, Properties realInfo) {
        String v = d == Dialect.POSTGRESQL ? pgjdbcSetting(realUrl, realInfo, "loginTimeout") : null;
        if (v != null) {
            try {
                double seconds = Double.parseDouble(v.trim());
                // pgjdbc's own reading of a bad value is "no timeout"; so is ours (it reports the value itself).
                return seconds > 0 && seconds < 1e9 ? java.time.Duration.ofMillis((long) (seconds * 1000)) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        int s = java.sql.DriverManager.getLoginTimeout();
        return s > 0 ? java.time.Duration.ofSeconds(s) : null;
    }

    /** A pgjdbc setting as pgjdbc reads it: the URL's parameter (decoded) over the connect properties; null when unset. */
    static String pgjdbcSetting(String realUrl, Properties realInfo, String name) {
        String v = null;
        int q = realUrl.indexOf('?');
        if (q >= 0) {
            for (String part : realUrl.substring(q + 1).split("&")) {
                if (part.startsWith(name + "=")) {
                    try {
                        v = java.net.URLDecoder.decode(part.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException bad) {
                        v = part.substring(name.length() + 1);
                    }
                }
            }
        }
        return v != null || realInfo == null ? v : realInfo.getProperty(name);
    }

    private static Connection nonNull(Connection c, String realUrl) throws SQLException {
        if (c == null) {
            throw new SQLException("resilient-jdbc: the real driver accepted " + UrlMasking.mask(realUrl)
                    + " but returned no connection", "08001");
        }
        return c;
    }

    /** Physical connections borrowed from the pool; dead ones are evicted from it, never handed out again. */
    private static final class PooledOpener implements LogicalConnection.Opener {
        final HikariDataSource pool;
        private final Retrier retrier;
        private final Retrier.SqlCall<Connection> borrow;

        PooledOpener(HikariDataSource pool, Retrier retrier) {
            this.pool = pool;
            this.retrier = retrier;
            this.borrow = pool::getConnection;
        }

        @Override
        public Connection open() throws SQLException {
            return retrier.connect(borrow);
        }

        @Override
        public void discard(Connection dead) {
            pool.evictConnection(dead);
        }
    }

    private static Dialect dialect(ResilientConfig config, String realUrl) {
        switch (config.get(ResilientOptions.DIALECT)) {
            case POSTGRESQL: return Dialect.POSTGRESQL;
            case SQLITE: return Dialect.SQLITE;
            case GENERIC: return Dialect.GENERIC;
            default: return Dialect.fromRealUrl(realUrl);
        }
    }

    /** How logs name a target: the real URL without its query (where secrets live) and the user. */
    static String targetName(String realUrl, Properties realInfo) {
        int q = realUrl.indexOf('?');
        String base = UrlMasking.mask(q < 0 ? realUrl : realUrl.substring(0, q));
        String user = realInfo.getProperty("user");
        return user == null ? base : base + " as " + user;
    }
}
