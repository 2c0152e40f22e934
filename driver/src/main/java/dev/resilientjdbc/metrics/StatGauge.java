package dev.resilientjdbc.metrics;

import com.codahale.metrics.Gauge;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.RetryStats;

/**
 * One counter of a target's {@link RetryStats} as a gauge. One class for all of them: a lambda per counter
 * would have the JVM spin a class per counter at the first connect of every process, metrics read or not.
 */
final class StatGauge implements Gauge<Long> {
    enum Stat {
        FAILURES, RETRIES, GIVEUPS, CONNECT_RETRIES, CONNECT_GIVEUPS, RECONNECTS, REPLAYS, DIVERGENCES, INDOUBT,
        INDOUBT_COMMITTED, INDOUBT_ABORTED, INDOUBT_EVIDENCE, BREAKER_OPENED, BREAKER_HALFOPENED, BREAKER_CLOSED,
        BREAKER_REJECTED
    }

    private final RetryStats stats;
    private final Stat stat;
    private final FailureClass failureClass; // for FAILURES, RETRIES, GIVEUPS
    private final int evidence;              // for INDOUBT_EVIDENCE

    StatGauge(RetryStats stats, Stat stat, FailureClass failureClass, int evidence) {
        this.stats = stats;
        this.stat = stat;
        this.failureClass = failureClass;
        this.evidence = evidence;
    }

    @Override
    public Long getValue() {
        switch (stat) {
            case FAILURES: return stats.failures(failureClass);
            case RETRIES: return stats.retries(failureClass);
            case GIVEUPS: return stats.giveUps(failureClass);
            case CONNECT_RETRIES: return stats.connectRetries();
            case CONNECT_GIVEUPS: return stats.connectGiveUps();
            case RECONNECTS: return stats.reconnects();
            case REPLAYS: return stats.replays();
            case DIVERGENCES: return stats.divergences();
            case INDOUBT: return stats.inDoubt();
            case INDOUBT_COMMITTED: return stats.inDoubtCommitted();
            case INDOUBT_ABORTED: return stats.inDoubtAborted();
            case INDOUBT_EVIDENCE: return stats.inDoubtEvidence(evidence);
            case BREAKER_OPENED: return stats.breakerOpened();
            case BREAKER_HALFOPENED: return stats.breakerHalfOpened();
            case BREAKER_CLOSED: return stats.breakerClosed();
            case BREAKER_REJECTED: return stats.breakerRejected();
            default: throw new IllegalStateException("unknown statistic " + stat);
        }
    }
}
