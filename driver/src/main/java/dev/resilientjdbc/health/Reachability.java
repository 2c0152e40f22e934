package dev.resilientjdbc.health;

import com.codahale.metrics.health.HealthCheck;
import dev.resilientjdbc.retry.TargetGuard;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reachable check of one target. A health endpoint polled often must not become a way to use up
 * the database's sessions: a call of the target that succeeded within the interval answers without
 * a probe, and otherwise at most one probe (a new physical connection) is made per interval, its
 * result shared by every request until the interval has passed.
 */
final class Reachability {
    private final TargetGuard guard;
    private final TargetHealth.Probe probe;
    private final long intervalNanos;
    // One probe at a time: requests arriving meanwhile wait for it and take its result.
    private final ReentrantLock lock = new ReentrantLock();
    private HealthCheck.Result last; // guarded by lock
    private long probedAt;           // guarded by lock; System.nanoTime when the last probe began

    Reachability(TargetGuard guard, TargetHealth.Probe probe, Duration interval) {
        this.guard = guard;
        this.probe = probe;
        this.intervalNanos = interval.toNanos();
    }

    HealthCheck.Result check() {
        lock.lock();
        try {
            long now = System.nanoTime();
            boolean fresh = last != null && now - probedAt < intervalNanos;
            // The newer of the two observations wins: a probe that failed after the last good call says down.
            if (fresh && !guard.succeededSince(probedAt)) {
                return last;
            }
            if (guard.succeededSince(now - intervalNanos)) {
                return TargetHealth.level(Level.HEALTHY, "the target's own calls succeed");
            }
            probedAt = now;
            last = probe();
            return last;
        } finally {
            lock.unlock();
        }
    }

    private HealthCheck.Result probe() {
        try (Connection c = probe.open()) {
            return c.isValid(2) ? TargetHealth.level(Level.HEALTHY, "a new connection answers")
                    : TargetHealth.level(Level.UNHEALTHY, "a new connection does not answer");
        } catch (SQLException e) {
            return TargetHealth.level(Level.UNHEALTHY, "cannot connect: SQLState " + e.getSQLState());
        }
    }
}
