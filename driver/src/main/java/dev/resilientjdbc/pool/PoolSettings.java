package dev.resilientjdbc.pool;

import dev.resilientjdbc.config.ResilientConfig;

import java.time.Duration;

import static dev.resilientjdbc.config.ResilientOptions.*;

/** The pool options of one target. */
public final class PoolSettings {
    final int maxSize;
    final int minIdle;
    final Duration connectionTimeout;
    final Duration idleTimeout;
    final Duration maxLifetime;
    final Duration validationTimeout;
    final Duration leakDetectionThreshold;

    private PoolSettings(ResilientConfig c) {
        maxSize = c.get(POOL_MAX_SIZE);
        minIdle = Math.min(c.get(POOL_MIN_IDLE), maxSize);
        connectionTimeout = c.get(POOL_CONNECTION_TIMEOUT);
        idleTimeout = c.get(POOL_IDLE_TIMEOUT);
        maxLifetime = c.get(POOL_MAX_LIFETIME);
        validationTimeout = c.get(POOL_VALIDATION_TIMEOUT);
        leakDetectionThreshold = c.get(POOL_LEAK_DETECTION_THRESHOLD);
    }

    public static PoolSettings from(ResilientConfig c) {
        return new PoolSettings(c);
    }

    /** Part of the pool's identity: connections with other pool settings get another pool. */
    String key() {
        return maxSize + "/" + minIdle + "/" + connectionTimeout.toMillis() + "/" + idleTimeout.toMillis() + "/"
                + maxLifetime.toMillis() + "/" + validationTimeout.toMillis() + "/" + leakDetectionThreshold.toMillis();
    }
}
