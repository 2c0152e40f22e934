package dev.resilientjdbc.sqlite.backup;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import dev.resilientjdbc.health.Level;
import dev.resilientjdbc.health.TargetHealth;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A target's backup gauges ({@code resilient.<target>.sqlite.backup.made, .failedVerification, .failed, .restored,
 * .newestAgeSeconds}) and its health check {@code resilient.<target>.sqliteBackup}: degraded when the newest verified
 * backup is older than twice the interval (or none was made in twice the interval since the target started).
 * Removed again on close.
 */
final class BackupHealth implements AutoCloseable {
    private final MetricRegistry metrics;
    private final HealthCheckRegistry checks = TargetHealth.registry();
    private final List<String> gauges = new ArrayList<>();
    private String check;

    private BackupHealth(MetricRegistry metrics) {
        this.metrics = metrics;
    }

    /** {@code metrics} may be null (metrics off): then only the health check is registered. */
    static BackupHealth bind(MetricRegistry metrics, String target, Path db, Duration interval) {
        BackupHealth h = new BackupHealth(metrics);
        BackupStats stats = SqliteBackups.stats(db);
        String p = "resilient." + target + ".sqlite.backup.";
        if (metrics != null) {
            h.gauge(p + "made", stats, BackupStats::made);
            h.gauge(p + "failedVerification", stats, BackupStats::failedVerification);
            h.gauge(p + "failed", stats, BackupStats::failed);
            h.gauge(p + "restored", stats, BackupStats::restored);
            h.gauge(p + "newestAgeSeconds", stats, BackupStats::newestVerifiedAgeSeconds);
        }
        Instant started = Instant.now();
        long limit = interval.multipliedBy(2).toSeconds();
        String name = "resilient." + target + ".sqliteBackup";
        try {
            h.checks.register(name, new HealthCheck() {
                @Override
                protected Result check() {
                    long age = stats.newestVerifiedAgeSeconds();
                    if (age < 0) {
                        boolean late = Duration.between(started, Instant.now()).toSeconds() > limit;
                        return TargetHealth.level(late ? Level.DEGRADED : Level.HEALTHY, "no verified backup yet"
                                + (stats.failedVerification() > 0 ? "; " + stats.failedVerification() + " failed verification" : ""));
                    }
                    return TargetHealth.level(age > limit ? Level.DEGRADED : Level.HEALTHY,
                            "newest verified backup " + age + " s old (degraded past " + limit + " s)");
                }
            });
            h.check = name;
        } catch (IllegalArgumentException taken) {
            // another target of the same name in a registry shared across class loaders keeps its own
        }
        return h;
    }

    private void gauge(String name, BackupStats stats, ToLongFunction<BackupStats> value) {
        try {
            metrics.register(name, (Gauge<Long>) () -> value.applyAsLong(stats));
            gauges.add(name);
        } catch (IllegalArgumentException taken) {
            // as above
        }
    }

    @Override
    public void close() {
        gauges.forEach(metrics::remove);
        gauges.clear();
        if (check != null) {
            checks.unregister(check);
            check = null;
        }
    }
}
