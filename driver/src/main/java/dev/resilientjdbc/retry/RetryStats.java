package dev.resilientjdbc.retry;

import dev.resilientjdbc.classify.FailureClass;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Plain counters of what the retry layer did for one target; the metrics layer reads them.
 * Updated only when something fails, never on the healthy path.
 */
public final class RetryStats {
    private final Map<FailureClass, LongAdder> retries = new EnumMap<>(FailureClass.class);
    private final Map<FailureClass, LongAdder> giveUps = new EnumMap<>(FailureClass.class);
    private final Map<FailureClass, LongAdder> failures = new EnumMap<>(FailureClass.class);
    private final LongAdder connectRetries = new LongAdder();
    private final LongAdder connectGiveUps = new LongAdder();
    private final LongAdder breakerOpened = new LongAdder();
    private final LongAdder breakerHalfOpened = new LongAdder();
    private final LongAdder breakerClosed = new LongAdder();
    private final LongAdder breakerRejected = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder inDoubt = new LongAdder();
    private final LongAdder replays = new LongAdder();
    private final LongAdder divergences = new LongAdder();
    private final LongAdder inDoubtCommitted = new LongAdder();
    private final LongAdder inDoubtAborted = new LongAdder();
    // Lost COMMIT replies by the evidence that settled them (RerunRules.InDoubtEvidence ordinal); kept here so metrics need not know the dialect.
    private final LongAdder[] inDoubtEvidence = new LongAdder[8];

    public RetryStats() {
        for (FailureClass c : FailureClass.values()) {
            retries.put(c, new LongAdder());
            giveUps.put(c, new LongAdder());
            failures.put(c, new LongAdder());
        }
        for (int i = 0; i < inDoubtEvidence.length; i++) {
            inDoubtEvidence[i] = new LongAdder();
        }
    }

    void onRetried(FailureClass c) { retries.get(c).increment(); }
    void onFailed(FailureClass c) { failures.get(c).increment(); }
    void onGaveUp(FailureClass c) { giveUps.get(c).increment(); }
    void onConnectRetried() { connectRetries.increment(); }
    void onConnectGaveUp() { connectGiveUps.increment(); }
    void onBreakerOpened() { breakerOpened.increment(); }
    void onBreakerHalfOpened() { breakerHalfOpened.increment(); }
    void onBreakerClosed() { breakerClosed.increment(); }
    void onBreakerRejected() { breakerRejected.increment(); }
    public void onReconnected() { reconnects.increment(); }
    public void onInDoubt() { inDoubt.increment(); }
    public void onReplayed() { replays.increment(); }
    public void onDiverged() { divergences.increment(); }
    public void onInDoubtCommitted() { inDoubtCommitted.increment(); }
    public void onInDoubtAborted() { inDoubtAborted.increment(); }
    public void onInDoubtEvidence(int evidence) { inDoubtEvidence[evidence].increment(); }

    /** Calls that failed with this class (each attempt counts), whatever happened next. */
    public long failures(FailureClass c) { return failures.get(c).sum(); }
    /** Statement retries after a failure of this class. */
    public long retries(FailureClass c) { return retries.get(c).sum(); }
    /** Statements that exhausted their budget on a failure of this class. */
    public long giveUps(FailureClass c) { return giveUps.get(c).sum(); }
    public long connectRetries() { return connectRetries.sum(); }
    public long connectGiveUps() { return connectGiveUps.sum(); }
    public long breakerOpened() { return breakerOpened.sum(); }
    public long breakerHalfOpened() { return breakerHalfOpened.sum(); }
    public long breakerClosed() { return breakerClosed.sum(); }
    /** Connects refused at once because the breaker was open. */
    public long breakerRejected() { return breakerRejected.sum(); }
    /** Physical connections replaced under a logical one. */
    public long reconnects() { return reconnects.sum(); }
    /** Writes whose reply was lost with the connection: the application got SQLState 08007. */
    public long inDoubt() { return inDoubt.sum(); }
    /** Transactions replayed after a failure. */
    public long replays() { return replays.sum(); }
    /** Replays that saw different answers: the application got SQLState 40001. */
    public long divergences() { return divergences.sum(); }
    /** Commits whose reply was lost and that the database reports committed. */
    public long inDoubtCommitted() { return inDoubtCommitted.sum(); }
    /** Commits whose reply was lost and that the database reports aborted (then replayed). */
    public long inDoubtAborted() { return inDoubtAborted.sum(); }
    /** Lost COMMIT replies settled (or left unknown) by evidence number {@code evidence} (RerunRules.InDoubtEvidence ordinal). */
    public long inDoubtEvidence(int evidence) { return inDoubtEvidence[evidence].sum(); }
}
