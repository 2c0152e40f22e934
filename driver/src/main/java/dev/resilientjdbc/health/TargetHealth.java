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
import dev.resilientjdbc.metrics.ResilientMetrics;
import dev.resilientjdbc.retry.CallObserver;
import dev.resilientjdbc.retry.TargetGuard;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static dev.resilientjdbc.config.ResilientOptions.*;

/**
 * The Dropwizard health checks of one target: reachable, breaker closed, pool saturation, error
 * rate over the last minute, p99 latency. Each result carries a {@code level} detail (healthy,
 * degraded, unhealthy); degraded results are healthy in Dropwizard's yes/no sense.
 */
public final class TargetHealth {
    public static final String REGISTRY = "resilient-jdbc";
    private static final Map<TargetGuard, Boolean> REGISTERED = new ConcurrentHashMap<>();
    private static final Map<String, TargetGuard> NAMES = new ConcurrentHashMap<>();

    /** Opens a physical connection for the reachability check. */
    @FunctionalInterface
    public interface Probe {
        Connection open() throws SQLException;
    }

    private TargetHealth() {}

    /** Forgets every target's checks (an application redeployed in the same JVM; tests). */
    public static void reset() {
        HealthCheckRegistry r = registry();
        for (String name : r.getNames()) {
            if (name.startsWith("resilient.")) {
                r.unregister(name);
            }
        }
        REGISTERED.clear();
        NAMES.clear();
    }

    public static HealthCheckRegistry registry() {
        return SharedHealthCheckRegistries.getOrCreate(REGISTRY);
    }

    /** Registers the target's checks once. */
    public static void register(TargetGuard guard, String baseTarget, Probe probe, HikariDataSource pool, HealthSettings s) {
        if (REGISTERED.putIfAbsent(guard, Boolean.TRUE) != null) {
            return;
        }
        String target = baseTarget;
        for (int n = 2; NAMES.putIfAbsent(target, guard) != null; n++) {
            target = baseTarget + "_" + n;
        }
        HealthCheckRegistry r = registry();
        String p = "resilient." + target + ".";
        Reachability reachability = new Reachability(guard, probe, s.probeInterval);
        r.register(p + "reachable", new HealthCheck() {
            @Override
            protected Result check() {
                return reachability.check();
            }
        });
        r.register(p + "breaker", new HealthCheck() {
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
            r.register(p + "pool", new HealthCheck() {
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
        r.register(p + "errors", new HealthCheck() {
            @Override
            protected Result check() {
                ErrorWindow w = ResilientMetrics.errors(guard);
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
        r.register(p + "latency", new HealthCheck() {
            @Override
            protected Result check() {
                Map<CallObserver.Kind, Timer> timers = ResilientMetrics.timers(guard);
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

    static HealthCheck.Result level(Level level, String message) {
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
