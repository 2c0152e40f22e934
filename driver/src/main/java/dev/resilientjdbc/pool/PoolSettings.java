package dev.resilientjdbc.pool;

import dev.resilientjdbc.config.OptionRegistry;
import dev.resilientjdbc.config.OptionSource;
import dev.resilientjdbc.config.ResilientConfig;

import java.sql.SQLException;
import java.time.Duration;

import static dev.resilientjdbc.config.ResilientOptions.*;

/** The pool options of one target. */
public final class PoolSettings {
    final int maxSize;
    final int minIdle;
    final Duration connectionTimeout;
    Duration idleTimeout;
    final Duration maxLifetime;
    final Duration validationTimeout;
    final Duration leakDetectionThreshold;

    private PoolSettings(ResilientConfig c) {
        maxSize = c.get(POOL_MAX_SIZE);
        // The default follows a smaller maxSize (maxSize=1 keeps one idle connection); a minIdle the
        // application gave is taken as given, and from() rejects it when it exceeds maxSize.
        minIdle = c.sourceOf(POOL_MIN_IDLE) == OptionSource.DEFAULT ? Math.min(c.get(POOL_MIN_IDLE), maxSize) : c.get(POOL_MIN_IDLE);
        connectionTimeout = c.get(POOL_CONNECTION_TIMEOUT);
        idleTimeout = c.get(POOL_IDLE_TIMEOUT);
        maxLifetime = c.get(POOL_MAX_LIFETIME);
        validationTimeout = c.get(POOL_VALIDATION_TIMEOUT);
        leakDetectionThreshold = c.get(POOL_LEAK_DETECTION_THRESHOLD);
    }

    /**
     * The settings, or HY024 for a combination HikariCP would quietly change (it logs and puts in its
     * own value): more idle connections than the pool may hold, an idle timeout not shorter than the
     * lifetime, a leak threshold beyond it.
     */
    public static PoolSettings from(ResilientConfig c) throws SQLException {
        PoolSettings s = new PoolSettings(c);
        if (s.minIdle > s.maxSize) {
            throw new SQLException("Options '" + POOL_MIN_IDLE.key() + "' (" + s.minIdle + ") and '" + POOL_MAX_SIZE.key() + "' ("
                    + s.maxSize + ") conflict: the first must be at most the second (HikariCP would otherwise replace it);"
                    + " leave '" + POOL_MIN_IDLE.key() + "' out to keep min(2, maxSize) idle", OptionRegistry.BAD_VALUE_STATE);
        }
        boolean lifetimeBounded = !s.maxLifetime.isZero();
        if (lifetimeBounded && !s.idleTimeout.isZero() && s.minIdle < s.maxSize
                && s.idleTimeout.plusSeconds(1).compareTo(s.maxLifetime) > 0) {
            if (c.sourceOf(POOL_IDLE_TIMEOUT) == OptionSource.DEFAULT) {
                s.idleTimeout = Duration.ZERO; // only the default: maxLifetime retires idle connections first anyway
            } else {
                throw conflict(POOL_IDLE_TIMEOUT.key(), s.idleTimeout, "at least 1s shorter than", s.maxLifetime);
            }
        }
        if (lifetimeBounded && s.leakDetectionThreshold.compareTo(s.maxLifetime) > 0) {
            throw conflict(POOL_LEAK_DETECTION_THRESHOLD.key(), s.leakDetectionThreshold, "at most", s.maxLifetime);
        }
        return s;
    }

    private static SQLException conflict(String key, Duration value, String rule, Duration maxLifetime) {
        return new SQLException("Options '" + key + "' (" + value.toMillis() + "ms) and '" + POOL_MAX_LIFETIME.key() + "' ("
                + maxLifetime.toMillis() + "ms) conflict: the first must be " + rule + " the second (HikariCP would"
                + " otherwise replace it)", OptionRegistry.BAD_VALUE_STATE);
    }

    /** Part of the pool's identity: connections with other pool settings get another pool. */
    String key() {
        return maxSize + "/" + minIdle + "/" + connectionTimeout.toMillis() + "/" + idleTimeout.toMillis() + "/"
                + maxLifetime.toMillis() + "/" + validationTimeout.toMillis() + "/" + leakDetectionThreshold.toMillis();
    }
}
