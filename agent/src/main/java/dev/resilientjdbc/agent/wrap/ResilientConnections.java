package dev.resilientjdbc.agent.wrap;

import dev.resilientjdbc.Assembly;
import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.target.TargetRegistry;

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
        return Assembly.connection(Targets.ALL, config, realUrl, ConfigResolver.stripped(info), physical::open);
    }

    // The agent's targets live as long as the JVM: the pools close with the registry's shutdown hook.
    // Made at the first connection, not in premain: the registry's classes are start-up time otherwise.
    private static final class Targets {
        static final TargetRegistry ALL = new TargetRegistry();
    }
}
