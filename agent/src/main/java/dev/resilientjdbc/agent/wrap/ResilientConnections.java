package dev.resilientjdbc.agent.wrap;

import dev.resilientjdbc.classify.Classifiers;
import dev.resilientjdbc.classify.Dialect;
import dev.resilientjdbc.classify.FailureClassifier;
import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.proxy.ProxyFactory;
import dev.resilientjdbc.reconnect.LogicalConnection;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RetrySettings;
import dev.resilientjdbc.retry.TargetGuard;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Properties;

/**
 * Builds what {@code jdbc:resilient:} would have built — classifier, retrier and breaker per
 * target, a logical connection, its proxy — around a physical opener the agent supplies, from
 * the driver's public pieces only.
 */
public final class ResilientConnections {
    /** Opens one physical connection with the real driver, as the application would have. */
    @FunctionalInterface
    public interface PhysicalOpener {
        Connection open() throws SQLException;
    }

    private final ConfigResolver resolver;

    public ResilientConnections(ConfigResolver resolver) {
        this.resolver = resolver;
    }

    /**
     * The resilient connection to {@code realUrl}. {@code info} holds the application's connect
     * properties (its {@code resilient.*} keys win over the agent's settings).
     */
    public Connection open(String realUrl, Properties info, PhysicalOpener physical) throws SQLException {
        ResilientConfig config = resolver.resolve(Collections.emptyMap(), info);
        if (!config.get(ResilientOptions.ENABLED)) {
            return physical.open();
        }
        RetrySettings settings = RetrySettings.from(config);
        FailureClassifier classifier = Classifiers.forDialect(dialect(config, realUrl), config.get(ResilientOptions.CLASSIFY_OVERRIDES));
        Retrier retrier = new Retrier(settings, classifier, TargetGuard.of(targetName(realUrl, info), settings));
        LogicalConnection.Opener opener = () -> retrier.connect(() -> nonNull(physical.open(), realUrl));
        return ProxyFactory.connection(new LogicalConnection(opener.open(), retrier, opener));
    }

    private static Connection nonNull(Connection c, String realUrl) throws SQLException {
        if (c == null) {
            throw new SQLException("resilient-agent: the real driver accepted " + UrlMasking.mask(realUrl)
                    + " but returned no connection", "08001");
        }
        return c;
    }

    private static Dialect dialect(ResilientConfig config, String realUrl) {
        switch (config.get(ResilientOptions.DIALECT)) {
            case POSTGRESQL: return Dialect.POSTGRESQL;
            case SQLITE: return Dialect.SQLITE;
            case GENERIC: return Dialect.GENERIC;
            default: return Dialect.fromRealUrl(realUrl);
        }
    }

    // As the driver names targets: the URL without its query (where secrets live) and the user.
    private static String targetName(String realUrl, Properties info) {
        int q = realUrl.indexOf('?');
        String base = UrlMasking.mask(q < 0 ? realUrl : realUrl.substring(0, q));
        String user = info == null ? null : info.getProperty("user");
        return user == null ? base : base + " as " + user;
    }
}
