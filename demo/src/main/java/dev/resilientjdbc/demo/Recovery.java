package dev.resilientjdbc.demo;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.resilientjdbc.metrics.ResilientMetrics;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What resilient-jdbc did to hide the failures on one side: statement and connect retries (all
 * failure classes), physical connections replaced, transactions replayed. Read from the driver's
 * Dropwizard registry in this JVM, or from the {@code METRICS} line of a child JVM running the agent.
 */
record Recovery(long retries, long reconnects, long replays) {
    private static final Pattern COUNTER = Pattern.compile("(retries\\.[a-z_]+|connect\\.retries|reconnect\\.count|replay\\.count)");

    /** The counters of the target of {@code resilientUrl} now; subtract two snapshots for what one run did. */
    static Recovery snapshot(String resilientUrl) {
        String realUrl = "jdbc:" + resilientUrl.substring("jdbc:resilient:".length());
        // A second guard of the same target (other breaker settings) is registered as <target>_2, ...
        Pattern names = Pattern.compile(Pattern.quote("resilient." + ResilientMetrics.targetName(realUrl)) + "(?:_\\d+)?\\.(.+)");
        MetricRegistry registry = ResilientMetrics.registry(ResilientMetrics.DEFAULT_REGISTRY);
        long retries = 0;
        long reconnects = 0;
        long replays = 0;
        for (Map.Entry<String, Gauge> e : registry.getGauges().entrySet()) {
            Matcher m = names.matcher(e.getKey());
            if (!m.matches() || !COUNTER.matcher(m.group(1)).matches() || !(e.getValue().getValue() instanceof Number n)) {
                continue;
            }
            switch (m.group(1)) {
                case "reconnect.count" -> reconnects += n.longValue();
                case "replay.count" -> replays += n.longValue();
                default -> retries += n.longValue();
            }
        }
        return new Recovery(retries, reconnects, replays);
    }

    Recovery minus(Recovery before) {
        return new Recovery(retries - before.retries, reconnects - before.reconnects, replays - before.replays);
    }

    /** {@code METRICS retries=1 reconnects=2 replays=3} from the ledger app; null for {@code METRICS none}. */
    static Recovery parse(String line) {
        Matcher m = Pattern.compile("METRICS retries=(\\d+) reconnects=(\\d+) replays=(\\d+)").matcher(line.trim());
        return m.matches() ? new Recovery(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))) : null;
    }
}
