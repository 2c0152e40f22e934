package dev.resilientjdbc.agent.wrap;

import dev.resilientjdbc.Assembly;
import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.connection.PhysicalOpener;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.target.TargetRegistry;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Properties;

/**
 * Builds what {@code jdbc:resilient:} would have built — classifier, retrier and breaker per
 * target, a logical connection, its proxy — around a physical opener the agent supplies, from
 * the driver's public pieces only.
 */
public final class ResilientConnections {
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
        warnFallbackIgnored(config);
        return Assembly.connection(Targets.ALL, config, realUrl, ConfigResolver.stripped(info), physical::open);
    }

    /**
     * As {@link #open(String, Properties, PhysicalOpener)} for a connect through {@code real}'s
     * {@code Driver.connect}: there the driver's properties are ours to add to, so the physical connections get
     * what {@code jdbc:resilient:} gives them (the liveness socket factory; on a multi-host URL, a
     * primary-preferring open for a write a standby refused).
     */
    public Connection open(String realUrl, Properties info, Driver real, Assembly.RealConnect connect) throws SQLException {
        ResilientConfig config = resolver.resolve(Collections.emptyMap(), info);
        Properties realInfo = ConfigResolver.stripped(info);
        if (!config.get(ResilientOptions.ENABLED)) {
            return connect.open(realUrl, realInfo);
        }
        warnFallbackIgnored(config);
        return Assembly.connection(Targets.ALL, config, realUrl, realInfo,
                Assembly.physicalSource(config, realUrl, realInfo, real, false, connect));
    }

    private static void warnFallbackIgnored(ResilientConfig config) {
        if (config.get(ResilientOptions.READ_ONLY_FALLBACK) && !FALLBACK_WARNED.getAndSet(true)) {
            java.util.logging.Logger.getLogger("dev.resilientjdbc.config").warning("resilient-jdbc: "
                    + ResilientOptions.READ_ONLY_FALLBACK.key() + "=true is ignored for connections made through the java agent"
                    + " (use the jdbc:resilient: URL or ResilientDataSource for it)");
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean FALLBACK_WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    // The agent's targets live as long as the JVM: the pools close with the registry's shutdown hook.
    // Made at the first connection, not in premain: the registry's classes are start-up time otherwise.
    private static final class Targets {
        static final TargetRegistry ALL = new TargetRegistry();
    }
}
