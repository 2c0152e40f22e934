package dev.resilientjdbc.retry;

import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;

import java.time.Duration;

/** Builds Failsafe retry policies from {@link RetrySettings}: one strategy, many uses. */
final class RetryPolicies {
    private RetryPolicies() {}

    /** Retries of one statement: bounded by attempts and by total time. */
    static <R> RetryPolicyBuilder<R> statement(RetrySettings s) {
        RetryPolicyBuilder<R> b = RetryPolicy.<R>builder()
                .handle(RetryableFailure.class)
                .withMaxAttempts(s.maxAttempts);
        if (!s.maxDuration.isZero()) {
            b.withMaxDuration(s.maxDuration);
        }
        return backoff(b, s);
    }

    /** Retries of a connect: as many attempts as fit in the connect budget. */
    static <R> RetryPolicyBuilder<R> connect(RetrySettings s) {
        RetryPolicyBuilder<R> b = RetryPolicy.<R>builder().handle(RetryableFailure.class);
        if (s.connectMaxDuration.isZero()) {
            b.withMaxAttempts(1);
        } else {
            b.withMaxAttempts(-1).withMaxDuration(s.connectMaxDuration);
        }
        return backoff(b, s);
    }

    private static <R> RetryPolicyBuilder<R> backoff(RetryPolicyBuilder<R> b, RetrySettings s) {
        switch (s.strategy) {
            case EXPONENTIAL:
                b.withBackoff(s.baseDelay, s.maxDelay, s.multiplier);
                break;
            case LINEAR:
                b.withDelayFn(ctx -> linear(s, ctx.getAttemptCount()));
                break;
            case FIXED:
                b.withDelay(s.baseDelay);
                break;
            case RANDOM:
                return b.withDelay(s.baseDelay, s.maxDelay);
            default:
                throw new IllegalStateException("unknown strategy " + s.strategy);
        }
        if (s.jitter > 0) {
            b.withJitter(s.jitter);
        }
        return b;
    }

    static Duration linear(RetrySettings s, int attemptsSoFar) {
        Duration d = s.baseDelay.multipliedBy(Math.max(1, attemptsSoFar));
        return d.compareTo(s.maxDelay) > 0 ? s.maxDelay : d;
    }
}
