package dev.resilientjdbc.retry;

import dev.failsafe.Failsafe;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.config.ResilientOptions;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delays between connects, for every strategy: a refused or unreachable server is tried again at least every
 * connect.maxDelay (the application is back soon after the server is); a server out of resources (53300) is backed
 * off by the strategy in full. The linear strategy used to replace the connect's own delays with its steps.
 */
class ConnectPolicyTest {
    private static List<Duration> delays(String strategy, FailureClass c) throws SQLException {
        RetrySettings s = RetrySettings.from(new ConfigResolver(ResilientOptions.REGISTRY, new Properties(), Map.of()).resolve(Map.of(
                "resilient.retry.strategy", strategy, "resilient.retry.baseDelay", "20ms", "resilient.retry.maxDelay", "100ms",
                "resilient.retry.jitter", "0", "resilient.connect.maxDelay", "30ms", "resilient.connect.maxDuration", "600ms"),
                new Properties()));
        List<Duration> scheduled = new ArrayList<>();
        assertThrows(RetryableFailure.class, () -> Failsafe.with(RetryPolicies.<Object>connect(s)
                .onRetryScheduled(e -> scheduled.add(e.getDelay())).build()).get(() -> {
            throw new RetryableFailure(new SQLException("refused", "08001"), c);
        }));
        assertTrue(scheduled.size() >= 4, () -> strategy + ": retried " + scheduled.size() + " times in 600 ms");
        return scheduled.subList(0, 4);
    }

    @Test
    void aRefusingServerIsTriedAgainAtLeastEveryConnectMaxDelay() throws SQLException {
        for (String strategy : List.of("exponential", "linear", "fixed")) {
            for (Duration d : delays(strategy, FailureClass.CONNECTION)) {
                assertTrue(d.compareTo(Duration.ofMillis(30)) <= 0, () -> strategy + ": a connect delay of " + d.toMillis() + " ms");
            }
        }
    }

    @Test
    void aServerOutOfResourcesIsBackedOffByTheWholeStrategy() throws SQLException {
        assertEquals(List.of(20L, 40L, 60L, 80L), delays("linear", FailureClass.RESOURCE).stream().map(Duration::toMillis).toList());
        assertEquals(List.of(20L, 40L, 80L, 100L), delays("exponential", FailureClass.RESOURCE).stream().map(Duration::toMillis).toList());
    }
}
