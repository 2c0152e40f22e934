package dev.resilientjdbc.health;

import com.codahale.metrics.Timer;
import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.codahale.metrics.health.SharedHealthCheckRegistries;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.failsafe.CircuitBreaker;
import dev.resilientjdbc.config.OptionRegistry;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.metrics.ErrorWindow;
import dev.resilientjdbc.metrics.MetricsTracker;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.TargetGuard;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.resilientjdbc.config.ResilientOptions.*;

/**
 * The Dropwizard health checks of one target: reachable, breaker closed, pool saturation, error
 * rate over the last minute, p99 latency. Each result carries a {@code level} detail (healthy,
 * degraded, unhealthy); degraded results are healthy in Dropwizard's yes/no sense. Registered in the
 * shared health-check registry by the target's owner and unregistered by {@link #close()}.
 */
public final class TargetHealth implements AutoCloseable {
    public static final String REGISTRY = "resilient-jdbc";
    private final HealthCheckRegistry registry;
    private final List<String> names = new ArrayList<>();

    /** Opens a physical connection for the reachability check. */
    @FunctionalInterface
    public interface Probe {
        Connection open() throws SQLException;
    }

    private TargetHealth(HealthCheckRegistry registry) {
        this.registry = registry;
    }

    public static HealthCheckRegistry registry() {
        return SharedHealthCheckRegistries.getOrCreate(REGISTRY);
    }

    /** Unregisters the target's checks: they hold its probe, and through it the real driver. */
    @Override
    public void close() {
        names.forEach(registry::unregister);
        names.clear();
    }

    private void add(String name, HealthCheck check) {
        try {
            registry.register(name, check);
            names.add(name);
        } catch (IllegalArgumentException taken) {
            // another owner's target of the same name in a registry shared across class loaders: its checks stay
            java.util.logging.Logger.getLogger("dev.resilientjdbc.health").fine("health check " + name + " is registered by another owner");
        }
    }

    /**
     * Registers the checks of {@code guard}'s target as {@code resilient.<target>.*}; {@code target} must
     * be unique (the target registry sees to that). {@code metrics} may be null (metrics disabled).
     */
    public static TargetHealth register(TargetGuard guard, String target, Probe probe, HikariDataSource pool, HealthSettings s,
                                        MetricsTracker metrics) {
        TargetHealth h = new TargetHealth(registry());
        h.registerChecks(guard, target, probe, pool, s, metrics);
        return h;
    }

    private void registerChecks(TargetGuard guard, String target, Probe probe, HikariDataSource pool, HealthSettings s,
                                MetricsTracker metrics) {
        String p = "resilient." + target + ".";
        Reachability reachability = new Reachability(guard, probe, s.probeInterval);
        add(p + "reachable", new HealthCheck() {
            @Override
            protected Result check() {
                return reachability.check();
            }
        });
        dev.resilientjdbc.retry.FallbackState fallback = guard.fallback();
        if (fallback != null) {
            add(p + "primary", new HealthCheck() {
                @Override
                protected Result check() {
                    fallback.lookForPrimary(); // in the background, at most once a second: a later check sees the result
                    String member = fallback.member();
                    if (member == null) {
                        return level(Level.HEALTHY, "primary reachable (resilient.readOnlyFallback on)");
                    }
                    long seconds = Math.max(0, (System.currentTimeMillis() - fallback.sinceMillis()) / 1000);
                    return HealthCheck.Result.builder().healthy()
                            .withMessage("no primary reachable among " + String.join(",", fallback.hosts()) + " for " + seconds
                                    + " s; reads served by replica " + member + ", writes fail (resilient.readOnlyFallback)")
                            .withDetail("level", "degraded").withDetail("servingMember", member)
                            .withDetail("since", java.time.Instant.ofEpochMilli(fallback.sinceMillis()).toString()).build();
                }
            });
        }
        add(p + "breaker", new HealthCheck() {
            @Override
            protected Result check() {
                CircuitBreaker<Object> b = guard.breaker();
                if (b == null || b.isClosed()) {
                    return level(Level.HEALTHY, "closed");
                }
                return b.isOpen() ? level(Level.UNHEALTHY, "open for another " + b.getRemainingDelay().toMillis() + " ms")
                        : level(Level.DEGRADED, "half-open: probing");
            }
        });
        if (pool != null) {
            add(p + "pool", new HealthCheck() {
                @Override
                protected Result check() {
                    HikariPoolMXBean bean = pool.getHikariPoolMXBean();
                    if (bean == null) {
                        return level(Level.HEALTHY, "not started");
                    }
                    double used = bean.getActiveConnections() / (double) pool.getMaximumPoolSize();
                    String msg = bean.getActiveConnections() + " of " + pool.getMaximumPoolSize() + " in use, "
                            + bean.getThreadsAwaitingConnection() + " waiting";
                    return level(used >= s.poolSaturationWarn || bean.getThreadsAwaitingConnection() > 0 ? Level.DEGRADED : Level.HEALTHY, msg);
                }
            });
        }
        add(p + "errors", new HealthCheck() {
            @Override
            protected Result check() {
                ErrorWindow w = metrics == null ? null : metrics.errors();
                if (w == null) {
                    return level(Level.HEALTHY, "not measured (resilient.metrics.enabled=false)");
                }
                long[] t = w.totals();
                if (t[0] < 20) {
                    return level(Level.HEALTHY, t[0] + " calls in the last minute: too few to judge");
                }
                double rate = t[1] / (double) t[0];
                String msg = String.format("%d of %d calls failed in the last minute (%.1f%%)", t[1], t[0], rate * 100);
                return level(rate >= s.errorRateCritical ? Level.UNHEALTHY : rate >= s.errorRateWarn ? Level.DEGRADED : Level.HEALTHY, msg);
            }
        });
        add(p + "latency", new HealthCheck() {
            @Override
            protected Result check() {
                Map<CallObserver.Kind, Timer> timers = metrics == null ? null : metrics.timers();
                if (timers == null) {
                    return level(Level.HEALTHY, "not measured");
                }
                double worst = 0;
                String which = "-";
                for (Map.Entry<CallObserver.Kind, Timer> e : timers.entrySet()) {
                    if (e.getKey() == CallObserver.Kind.CONNECT || e.getValue().getCount() == 0) {
                        continue;
                    }
                    double p99 = e.getValue().getSnapshot().get99thPercentile();
                    if (p99 > worst) {
                        worst = p99;
                        which = e.getKey().name().toLowerCase(java.util.Locale.ROOT);
                    }
                }
                long ms = TimeUnit.NANOSECONDS.toMillis((long) worst);
                String msg = "p99 " + ms + " ms (" + which + ")";
                return level(ms >= s.p99Critical.toMillis() ? Level.UNHEALTHY : ms >= s.p99Warn.toMillis() ? Level.DEGRADED : Level.HEALTHY, msg);
            }
        });
    }

    public static HealthCheck.Result level(Level level, String message) {
        HealthCheck.ResultBuilder b = HealthCheck.Result.builder().withMessage(message).withDetail("level", level.name().toLowerCase(java.util.Locale.ROOT));
        return level == Level.UNHEALTHY ? b.unhealthy().build() : b.healthy().build();
    }

    /** The thresholds. */
    public static final class HealthSettings {
        final double errorRateWarn;
        final double errorRateCritical;
        final Duration p99Warn;
        final Duration p99Critical;
        final double poolSaturationWarn;
        final Duration probeInterval;

        public HealthSettings(double errorRateWarn, double errorRateCritical, Duration p99Warn, Duration p99Critical,
                              double poolSaturationWarn, Duration probeInterval) {
            this.errorRateWarn = errorRateWarn;
            this.errorRateCritical = errorRateCritical;
            this.p99Warn = p99Warn;
            this.p99Critical = p99Critical;
            this.poolSaturationWarn = poolSaturationWarn;
            this.probeInterval = probeInterval;
        }

        /** The thresholds of {@code c}; a warn threshold above its critical one would never warn, so it is HY024. */
        public static HealthSettings from(ResilientConfig c) throws SQLException {
            HealthSettings s = new HealthSettings(c.get(HEALTH_ERROR_RATE_WARN), c.get(HEALTH_ERROR_RATE_CRITICAL),
                    c.get(HEALTH_P99_WARN), c.get(HEALTH_P99_CRITICAL), c.get(HEALTH_POOL_SATURATION_WARN),
                    c.get(HEALTH_PROBE_INTERVAL));
            if (s.errorRateWarn > s.errorRateCritical) {
                throw warnAboveCritical(HEALTH_ERROR_RATE_WARN.key(), String.valueOf(s.errorRateWarn),
                        HEALTH_ERROR_RATE_CRITICAL.key(), String.valueOf(s.errorRateCritical));
            }
            if (s.p99Warn.compareTo(s.p99Critical) > 0) {
                throw warnAboveCritical(HEALTH_P99_WARN.key(), s.p99Warn.toMillis() + "ms",
                        HEALTH_P99_CRITICAL.key(), s.p99Critical.toMillis() + "ms");
            }
            return s;
        }

        private static SQLException warnAboveCritical(String warnKey, String warn, String criticalKey, String critical) {
            return new SQLException("Options '" + warnKey + "' (" + warn + ") and '" + criticalKey + "' (" + critical
                    + ") conflict: the warn threshold must not be above the critical one", OptionRegistry.BAD_VALUE_STATE);
        }
    }
}
