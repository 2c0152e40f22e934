package dev.resilientjdbc.retry;

import dev.resilientjdbc.config.BackoffStrategy;
import dev.resilientjdbc.config.Option;
import dev.resilientjdbc.config.OptionRegistry;
import dev.resilientjdbc.config.OptionSource;
import dev.resilientjdbc.config.ResilientConfig;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;

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

    private RetrySettings(RetrySettings o, Duration connectMaxDuration) {
        strategy = o.strategy;
        maxAttempts = o.maxAttempts;
        baseDelay = o.baseDelay;
        maxDelay = o.maxDelay;
        multiplier = o.multiplier;
        jitter = o.jitter;
        maxDuration = o.maxDuration;
        this.connectMaxDuration = connectMaxDuration;
        connectMaxDelay = o.connectMaxDelay;
        breakerEnabled = o.breakerEnabled;
        breakerFailureThreshold = o.breakerFailureThreshold;
        breakerOpenDuration = o.breakerOpenDuration;
        breakerSuccessThreshold = o.breakerSuccessThreshold;
    }

    /**
     * The application's login timeout (the real driver's {@code loginTimeout}, or
     * {@code DriverManager.getLoginTimeout()}) bounds the whole connect, retries included: its limit, not
     * ours to multiply. One attempt already running is bounded by the real driver's own use of it. A
     * limit too short for even the first delay leaves a single attempt.
     */
    public RetrySettings withLoginTimeout(Duration login) {
        if (login == null || login.isZero() || login.isNegative()
                || connectMaxDuration.isZero() || connectMaxDuration.compareTo(login) <= 0) {
            return this;
        }
        Duration firstDelay = strategy == BackoffStrategy.RANDOM ? maxDelay : baseDelay;
        boolean fits = strategy == BackoffStrategy.LINEAR || firstDelay.compareTo(login) < 0;
        return new RetrySettings(this, fits ? login : Duration.ZERO);
    }

    /** The whole time a connect may take, retries included; zero: one attempt. */
    public Duration connectBudget() {
        return connectMaxDuration;
    }

    /**
     * The connect budget when resilient.connect.maxDuration is not set and the URL names several hosts: an HA
     * cluster's failover outlasts one server's restart (Patroni's worst case is about ttl + loop_wait, 40 s with
     * its defaults; with a 30 s budget a COMMIT lost in such a failover could not be settled in time).
     */
    public static final Duration SEVERAL_HOSTS_CONNECT_BUDGET = Duration.ofSeconds(60);

    private RetrySettings(ResilientConfig c, boolean severalHosts) {
        strategy = c.get(RETRY_STRATEGY);
        maxAttempts = c.get(RETRY_MAX_ATTEMPTS);
        baseDelay = c.get(RETRY_BASE_DELAY);
        maxDelay = c.get(RETRY_MAX_DELAY);
        multiplier = c.get(RETRY_MULTIPLIER);
        jitter = c.get(RETRY_JITTER);
        maxDuration = c.get(RETRY_MAX_DURATION);
        connectMaxDuration = severalHosts && c.sourceOf(CONNECT_MAX_DURATION) == OptionSource.DEFAULT
                ? SEVERAL_HOSTS_CONNECT_BUDGET : c.get(CONNECT_MAX_DURATION);
        connectMaxDelay = c.get(CONNECT_MAX_DELAY);
        breakerEnabled = c.get(BREAKER_ENABLED);
        breakerFailureThreshold = c.get(BREAKER_FAILURE_THRESHOLD);
        breakerOpenDuration = c.get(BREAKER_OPEN_DURATION);
        breakerSuccessThreshold = c.get(BREAKER_SUCCESS_THRESHOLD);
    }

    /** Reads the settings, rejecting combinations no strategy can honour. */
    public static RetrySettings from(ResilientConfig c) throws SQLException {
        return from(c, false);
    }

    /**
     * Reads the settings for a URL that names several hosts ({@code severalHosts}) or one; the connect budget
     * of several hosts defaults to {@link #SEVERAL_HOSTS_CONNECT_BUDGET}.
     */
    public static RetrySettings from(ResilientConfig c, boolean severalHosts) throws SQLException {
        RetrySettings s = new RetrySettings(c, severalHosts);
        if (s.baseDelay.compareTo(s.maxDelay) >= 0) {
            throw new SQLException("Option '" + RETRY_BASE_DELAY.key() + "' (" + s.baseDelay.toMillis() + "ms) must be less than '"
                    + RETRY_MAX_DELAY.key() + "' (" + s.maxDelay.toMillis() + "ms)", OptionRegistry.BAD_VALUE_STATE);
        }
        s.delayFits(RETRY_MAX_DURATION, s.maxDuration);
        s.delayFits(CONNECT_MAX_DURATION, s.connectMaxDuration);
        return s;
    }

    /**
     * Failsafe refuses, with an IllegalStateException, a strategy whose fixed delays do not fit in the
     * time budget: the first delay (exponential, fixed) or the largest (random) must be shorter than it.
     * Said here as HY024 naming the options, before any policy is built.
     */
    private void delayFits(Option<Duration> budgetOption, Duration budget) throws SQLException {
        if (budget.isZero() || strategy == BackoffStrategy.LINEAR) {
            return; // no budget, or delays of our own that Failsafe does not check
        }
        boolean random = strategy == BackoffStrategy.RANDOM;
        Option<Duration> delayOption = random ? RETRY_MAX_DELAY : RETRY_BASE_DELAY;
        Duration delay = random ? maxDelay : baseDelay;
        if (delay.compareTo(budget) >= 0) {
            throw new SQLException("Options '" + delayOption.key() + "' (" + delay.toMillis() + "ms) and '" + budgetOption.key()
                    + "' (" + budget.toMillis() + "ms) conflict with '" + RETRY_STRATEGY.key() + "' ("
                    + strategy.name().toLowerCase(Locale.ROOT) + "): the " + (random ? "longest" : "first")
                    + " delay must be shorter than the whole time budget", OptionRegistry.BAD_VALUE_STATE);
        }
    }

    /** Identity of the breaker-relevant part, so targets with different breaker settings get different breakers. */
    String breakerKey() {
        return breakerEnabled + "/" + breakerFailureThreshold + "/" + breakerOpenDuration.toMillis() + "/" + breakerSuccessThreshold;
    }
}
