package dev.resilientjdbc;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.classify.Classifiers;
import dev.resilientjdbc.classify.Dialect;
import dev.resilientjdbc.classify.FailureClassifier;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.health.HealthEndpoint;
import dev.resilientjdbc.health.TargetHealth;
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
import dev.resilientjdbc.retry.TargetGuard;

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
     * {@code physical}, and its proxy. Used by this driver and by the java agent.
     */
    public static Connection connection(ResilientConfig config, String realUrl, Properties realInfo, PhysicalSource physical)
            throws SQLException {
        RetrySettings settings = RetrySettings.from(config);
        FailureClassifier classifier = Classifiers.forDialect(dialect(config, realUrl), config.get(ResilientOptions.CLASSIFY_OVERRIDES));
        TargetGuard guard = TargetGuard.of(targetName(realUrl, realInfo), settings);
        MetricRegistry metrics = null;
        if (config.get(ResilientOptions.METRICS_ENABLED)) {
            metrics = ResilientMetrics.registry(config.get(ResilientOptions.METRICS_REGISTRY));
            ResilientMetrics.bind(guard, ResilientMetrics.targetName(realUrl), metrics);
            if (config.get(ResilientOptions.METRICS_JMX)) {
                ResilientMetrics.startJmx(metrics);
            }
        }
        Retrier retrier = new Retrier(settings, classifier, guard);
        HikariDataSource pool = config.get(ResilientOptions.POOL)
                ? Pools.forTarget(realUrl, realInfo, PoolSettings.from(config), targetName(realUrl, realInfo), metrics) : null;
        LogicalConnection.Opener opener = pool != null ? pooled(pool, retrier)
                : () -> retrier.connect(() -> nonNull(physical.open(), realUrl));
        watch(config, guard, realUrl, () -> nonNull(physical.open(), realUrl), pool, metrics);
        Dialect d = dialect(config, realUrl);
        InDoubt inDoubt = d == Dialect.POSTGRESQL ? new PostgresInDoubt() : InDoubt.NONE;
        LogicalConnection logical = new LogicalConnection(opener.open(), retrier, opener,
                config.get(ResilientOptions.REPLAY_MAX_BYTES), inDoubt);
        if (config.get(ResilientOptions.SQLITE_SERIALIZE_TRANSACTIONS)) {
            logical.gate(TransactionGate.forSqlite(realUrl, config.get(ResilientOptions.RETRY_MAX_DURATION)));
        }
        return ProxyFactory.connection(logical);
    }

    private static Connection nonNull(Connection c, String realUrl) throws SQLException {
        if (c == null) {
            throw new SQLException("resilient-jdbc: the real driver accepted " + UrlMasking.mask(realUrl)
                    + " but returned no connection", "08001");
        }
        return c;
    }

    /** Health checks for the target, and the HTTP endpoint when asked for. */
    private static void watch(ResilientConfig config, TargetGuard guard, String realUrl, TargetHealth.Probe probe,
                              HikariDataSource pool, MetricRegistry metrics) {
        String name = ResilientMetrics.nameOf(guard);
        TargetHealth.register(guard, name != null ? name : ResilientMetrics.targetName(realUrl), probe, pool, new TargetHealth.HealthSettings(
                config.get(ResilientOptions.HEALTH_ERROR_RATE_WARN), config.get(ResilientOptions.HEALTH_ERROR_RATE_CRITICAL),
                config.get(ResilientOptions.HEALTH_P99_WARN), config.get(ResilientOptions.HEALTH_P99_CRITICAL),
                config.get(ResilientOptions.HEALTH_POOL_SATURATION_WARN)));
        int port = config.get(ResilientOptions.HTTP_PORT);
        if (port > 0) {
            HealthEndpoint.start(config.get(ResilientOptions.HTTP_BIND), port,
                    metrics != null ? metrics : ResilientMetrics.registry(config.get(ResilientOptions.METRICS_REGISTRY)));
        }
    }

    /** Physical connections borrowed from the pool; dead ones are evicted from it, never handed out again. */
    private static LogicalConnection.Opener pooled(HikariDataSource pool, Retrier retrier) {
        return new LogicalConnection.Opener() {
            @Override
            public Connection open() throws SQLException {
                return retrier.connect(pool::getConnection);
            }

            @Override
            public void discard(Connection dead) {
                pool.evictConnection(dead);
            }
        };
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
