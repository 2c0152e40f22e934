package dev.resilientjdbc.metrics.micrometer;

import dev.resilientjdbc.retry.RerunRules;
import dev.failsafe.CircuitBreaker;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.metrics.TargetMeters;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.retry.TargetGuard;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * One target's meters in one {@link MeterRegistry}: the same counts as the Dropwizard gauges, read
 * from the target's {@link RetryStats} when the registry asks (function counters — nothing is
 * counted twice), the breaker's state, and a timer per kind of call fed by the guard's second
 * observer. {@link #close()} stops the timing and removes every meter it registered.
 */
final class MicrometerTracker implements TargetMeters.Bound {
    private final TargetGuard guard;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    MicrometerTracker(TargetGuard guard, String target, MeterRegistry registry) {
        this.guard = guard;
        this.registry = registry;
        RetryStats stats = guard.stats();
        Tags t = Tags.of("target", target);
        for (FailureClass c : FailureClass.values()) {
            Tags tc = t.and("class", c.name().toLowerCase(Locale.ROOT));
            counter("resilient.failures", tc, stats, s -> s.failures(c), "failed attempts, by failure class");
            counter("resilient.retries", tc, stats, s -> s.retries(c), "statement retries after a failure, by failure class");
            counter("resilient.giveups", tc, stats, s -> s.giveUps(c), "statements that exhausted their retry budget, by failure class");
        }
        counter("resilient.connect.retries", t, stats, RetryStats::connectRetries, "connect attempts retried");
        counter("resilient.connect.giveups", t, stats, RetryStats::connectGiveUps, "connects that gave up");
        counter("resilient.reconnects", t, stats, RetryStats::reconnects, "physical connections replaced under a logical one");
        counter("resilient.replays", t, stats, RetryStats::replays, "transactions replayed after a failure");
        counter("resilient.replay.divergences", t, stats, RetryStats::divergences,
                "replays that saw different answers (the application got 40001)");
        counter("resilient.indoubt", t.and("outcome", "unknown"), stats, RetryStats::inDoubt,
                "lost COMMIT replies: answered 08007 (unknown), resolved committed, resolved aborted and replayed");
        counter("resilient.indoubt", t.and("outcome", "committed"), stats, RetryStats::inDoubtCommitted,
                "lost COMMIT replies: answered 08007 (unknown), resolved committed, resolved aborted and replayed");
        counter("resilient.indoubt", t.and("outcome", "aborted"), stats, RetryStats::inDoubtAborted,
                "lost COMMIT replies: answered 08007 (unknown), resolved committed, resolved aborted and replayed");
        for (RerunRules.InDoubtEvidence e : RerunRules.InDoubtEvidence.values()) {
            counter("resilient.indoubt.evidence", t.and("evidence", e.metricName()), stats, s -> s.inDoubtEvidence(e.ordinal()),
                    "which evidence settled each lost COMMIT reply");
        }
        counter("resilient.breaker.transitions", t.and("state", "open"), stats, RetryStats::breakerOpened, "breaker transitions, by the state entered");
        counter("resilient.breaker.transitions", t.and("state", "half_open"), stats, RetryStats::breakerHalfOpened, "breaker transitions, by the state entered");
        counter("resilient.breaker.transitions", t.and("state", "closed"), stats, RetryStats::breakerClosed, "breaker transitions, by the state entered");
        counter("resilient.breaker.rejected", t, stats, RetryStats::breakerRejected, "connects refused at once while the breaker was open");
        meters.add(Gauge.builder("resilient.breaker.state", guard, MicrometerTracker::breakerState).tags(t)
                .description("0 closed, 1 half-open, 2 open").register(registry));
        dev.resilientjdbc.retry.FallbackState fallback = guard.fallback();
        if (fallback != null) { // resilient.readOnlyFallback
            meters.add(Gauge.builder("resilient.readOnlyFallback.active", fallback, f -> f.degraded() ? 1 : 0).tags(t)
                    .description("1 while a standby serves reads because no primary answers").register(registry));
            meters.add(Gauge.builder("resilient.readOnlyFallback.member", fallback, f -> f.memberIndex()).tags(t)
                    .description("which host of the URL serves reads (1-based position), 0 none").register(registry));
            meters.add(FunctionCounter.builder("resilient.readOnlyFallback.standbyConnects", fallback, f -> f.standbyConnects()).tags(t)
                    .description("connections opened on a standby because no primary answered").register(registry));
            meters.add(FunctionCounter.builder("resilient.readOnlyFallback.refusedWrites", fallback, f -> f.refusedWrites()).tags(t)
                    .description("writes that failed for want of a primary").register(registry));
        }
        Timer[] byKind = new Timer[CallObserver.Kind.values().length];
        for (CallObserver.Kind k : CallObserver.Kind.values()) {
            byKind[k.ordinal()] = Timer.builder("resilient.calls").tags(t.and("kind", k.name().toLowerCase(Locale.ROOT)))
                    .description("duration of each call, retries and replays included").register(registry);
            meters.add(byKind[k.ordinal()]);
        }
        // Hot path: an array load and Timer.record; no lock of ours, no allocation.
        guard.secondObserver((kind, nanos, failed, endNanos) -> byKind[kind.ordinal()].record(nanos, TimeUnit.NANOSECONDS));
    }

    private void counter(String name, Tags tags, RetryStats stats, ToDoubleFunction<RetryStats> f, String description) {
        // The registry keeps `stats` weakly; the target's guard holds it for as long as these meters exist.
        meters.add(FunctionCounter.builder(name, stats, f).tags(tags).description(description).register(registry));
    }

    private static double breakerState(TargetGuard guard) {
        CircuitBreaker<Object> b = guard.breaker();
        return b == null ? 0 : b.isOpen() ? 2 : b.isHalfOpen() ? 1 : 0;
    }

    @Override
    public void close() {
        guard.secondObserver(CallObserver.NONE);
        meters.forEach(registry::remove);
        meters.clear();
    }
}
