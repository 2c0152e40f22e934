package dev.resilientjdbc.retry;

import dev.resilientjdbc.config.OptionRegistry;
import dev.resilientjdbc.config.ResilientConfig;

import java.sql.SQLException;
import java.time.Duration;

import static dev.resilientjdbc.config.ResilientOptions.*;

/** The retry, connect and breaker settings of one target, checked as a whole. */
public final class RetrySettings {
    final BackoffStrategy strategy;
    final int maxAttempts;
    final Duration baseDelay;
    final Duration maxDelay;
    final double multiplier;
    final double jitter;
    final Duration maxDuration;
    final Duration connectMaxDuration;
    final Duration connectMaxDelay;
    final boolean breakerEnabled;
    final int breakerFailureThreshold;
    final Duration breakerOpenDuration;
    final int breakerSuccessThreshold;

    private RetrySettings(ResilientConfig c) {
        strategy = c.get(RETRY_STRATEGY);
        maxAttempts = c.get(RETRY_MAX_ATTEMPTS);
        baseDelay = c.get(RETRY_BASE_DELAY);
        maxDelay = c.get(RETRY_MAX_DELAY);
        multiplier = c.get(RETRY_MULTIPLIER);
        jitter = c.get(RETRY_JITTER);
        maxDuration = c.get(RETRY_MAX_DURATION);
        connectMaxDuration = c.get(CONNECT_MAX_DURATION);
        connectMaxDelay = c.get(CONNECT_MAX_DELAY);
        breakerEnabled = c.get(BREAKER_ENABLED);
        breakerFailureThreshold = c.get(BREAKER_FAILURE_THRESHOLD);
        breakerOpenDuration = c.get(BREAKER_OPEN_DURATION);
        breakerSuccessThreshold = c.get(BREAKER_SUCCESS_THRESHOLD);
    }

    /** Reads the settings, rejecting combinations no strategy can honour. */
    public static RetrySettings from(ResilientConfig c) throws SQLException {
        RetrySettings s = new RetrySettings(c);
        if (s.baseDelay.compareTo(s.maxDelay) >= 0) {
            throw new SQLException("Option '" + RETRY_BASE_DELAY.key() + "' (" + s.baseDelay.toMillis() + "ms) must be less than '"
                    + RETRY_MAX_DELAY.key() + "' (" + s.maxDelay.toMillis() + "ms)", OptionRegistry.BAD_VALUE_STATE);
        }
        return s;
    }

    /** Identity of the breaker-relevant part, so targets with different breaker settings get different breakers. */
    String breakerKey() {
        return breakerEnabled + "/" + breakerFailureThreshold + "/" + breakerOpenDuration.toMillis() + "/" + breakerSuccessThreshold;
    }
}
