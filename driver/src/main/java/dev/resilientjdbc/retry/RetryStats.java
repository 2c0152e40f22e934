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
    private final LongAdder connectRetries = new LongAdder();
    private final LongAdder connectGiveUps = new LongAdder();
    private final LongAdder breakerOpened = new LongAdder();
    private final LongAdder breakerHalfOpened = new LongAdder();
    private final LongAdder breakerClosed = new LongAdder();
    private final LongAdder breakerRejected = new LongAdder();

    public RetryStats() {
        for (FailureClass c : FailureClass.values()) {
            retries.put(c, new LongAdder());
            giveUps.put(c, new LongAdder());
        }
    }

    void retried(FailureClass c) { retries.get(c).increment(); }
    void gaveUp(FailureClass c) { giveUps.get(c).increment(); }
    void connectRetried() { connectRetries.increment(); }
    void connectGaveUp() { connectGiveUps.increment(); }
    void breakerOpened() { breakerOpened.increment(); }
    void breakerHalfOpened() { breakerHalfOpened.increment(); }
    void breakerClosed() { breakerClosed.increment(); }
    void breakerRejected() { breakerRejected.increment(); }

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
}
