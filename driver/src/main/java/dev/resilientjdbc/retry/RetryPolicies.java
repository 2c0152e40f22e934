package dev.resilientjdbc.retry;

import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.resilientjdbc.classify.FailureClass;

import java.time.Duration;

/** Builds Failsafe retry policies from {@link RetrySettings}: one strategy, many uses. */
final class RetryPolicies {
    // A negative delay from the delay function tells Failsafe to use the configured backoff instead.
    private static final Duration NO_DELAY_OF_OUR_OWN = Duration.ofNanos(-1);

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

    /**
     * Retries of a connect: as many attempts as fit in the connect budget. While the server refuses or
     * cannot be reached the delays stop growing at {@code connect.maxDelay}, so the application is back
     * soon after the server is; a server out of resources (too many connections) is backed off in full.
     */
    static <R> RetryPolicyBuilder<R> connect(RetrySettings s) {
        RetryPolicyBuilder<R> b = backoff(RetryPolicy.<R>builder().handle(RetryableFailure.class), s);
        if (s.connectMaxDuration.isZero()) {
            b.withMaxAttempts(1);
        } else {
            b.withMaxAttempts(-1).withMaxDuration(s.connectMaxDuration);
        }
        // Set after the strategy: the linear one is itself a delay function, and the last one set is the one used.
        b.withDelayFn(ctx -> {
            Throwable last = ctx.getLastException();
            if (last instanceof RetryableFailure && ((RetryableFailure) last).failureClass == FailureClass.RESOURCE) {
                // The strategy in full, up to retry.maxDelay: Failsafe's own backoff, or the linear steps.
                return s.strategy == dev.resilientjdbc.config.BackoffStrategy.LINEAR ? linear(s, ctx.getAttemptCount()) : NO_DELAY_OF_OUR_OWN;
            }
            return capped(s, ctx.getAttemptCount(), s.connectMaxDelay);
        });
        return b;
    }

    /** The strategy's delay after {@code attemptsSoFar} attempts, at most {@code cap} (and at most retry.maxDelay). */
    static Duration capped(RetrySettings s, int attemptsSoFar, Duration cap) {
        Duration max = cap.compareTo(s.maxDelay) < 0 ? cap : s.maxDelay;
        Duration d;
        switch (s.strategy) {
            case EXPONENTIAL:
                double nanos = s.baseDelay.toNanos() * Math.pow(s.multiplier, Math.max(0, attemptsSoFar - 1));
                d = nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
                break;
            case LINEAR:
                d = linear(s, attemptsSoFar);
                break;
            case RANDOM:
                long lo = Math.min(s.baseDelay.toNanos(), max.toNanos());
                d = Duration.ofNanos(lo + (long) (java.util.concurrent.ThreadLocalRandom.current().nextDouble() * (max.toNanos() - lo)));
                break;
            default:
                d = s.baseDelay;
        }
        return d.compareTo(max) > 0 ? max : d;
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
