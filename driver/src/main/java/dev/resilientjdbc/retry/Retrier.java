package dev.resilientjdbc.retry;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.event.ExecutionAttemptedEvent;
import dev.failsafe.event.ExecutionScheduledEvent;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.classify.FailureClassifier;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs calls under the retry policies of one connection. A statement runs once directly; only a
 * failure the safety rules allow to retry enters Failsafe, so the healthy path costs nothing and a
 * fatal error reaches the application at once as the very same object. When the budget runs out
 * the application gets the last real exception, the earlier ones attached as suppressed.
 */
public final class Retrier {
    private static final Logger LOG = Logger.getLogger("dev.resilientjdbc.retry");

    /** One JDBC call. */
    @FunctionalInterface
    public interface SqlCall<T> {
        T call() throws Throwable;
    }

    /** The safety rule for the call at hand, told of each failure (once) and asked whether to try again. */
    @FunctionalInterface
    public interface RetryGate {
        boolean allows(SQLException failure, FailureClass failureClass) throws SQLException;
    }

    private final FailureClassifier classifier;
    private final TargetGuard guard;
    private final RetrySettings settings;
    private final java.time.Duration connectBudget;
    // Made at the first failure: the healthy path never enters Failsafe, so a process that meets no failure never loads it.
    private volatile Policies policies;

    public Retrier(RetrySettings settings, FailureClassifier classifier, TargetGuard guard) {
        this.classifier = classifier;
        this.guard = guard;
        this.settings = settings;
        this.connectBudget = settings.connectBudget();
    }

    /** The Failsafe executors of this retrier. */
    private static final class Policies {
        final FailsafeExecutor<Object> statements;
        final FailsafeExecutor<Object> connects;
        final FailsafeExecutor<Object> poolConnects;

        Policies(Retrier r) {
            RetryPolicy<Object> statementPolicy = RetryPolicies.<Object>statement(r.settings)
                    .onRetryScheduled(r::logRetry)
                    .onFailedAttempt(e -> r.countRetry(e, false))
                    .build();
            this.statements = Failsafe.with(statementPolicy);
            RetryPolicy<Object> connectPolicy = RetryPolicies.<Object>connect(r.settings)
                    .onRetryScheduled(r::logRetry)
                    .onFailedAttempt(e -> r.countRetry(e, true))
                    .build();
            CircuitBreaker<Object> breaker = r.guard.breakerForFailure();
            this.connects = breaker == null ? Failsafe.with(connectPolicy) : Failsafe.with(breaker, connectPolicy);
            // The pool's own connects: same retries, no breaker (the borrows that wait on them pass the breaker).
            this.poolConnects = Failsafe.with(RetryPolicies.<Object>connect(r.settings).onRetryScheduled(r::logRetry).build());
        }
    }

    private Policies policies() {
        Policies p = policies;
        if (p == null) {
            p = new Policies(this); // two threads failing at once may both make one: equal, and the breaker is the guard's
            policies = p;
        }
        return p;
    }

    public FailureClassifier classifier() {
        return classifier;
    }

    public TargetGuard guard() {
        return guard;
    }

    /** Runs a statement call; retries it while {@code gate} allows and the budget lasts. */
    public Object statement(SqlCall<?> call, RetryGate gate) throws Throwable {
        try {
            return call.call();
        } catch (SQLException first) {
            return afterFailure(first, call, gate);
        }
    }

    /**
     * What {@link #statement} does once the first attempt failed with {@code first}, for callers that make
     * that attempt themselves: the healthy path then needs no call or gate object, only a failure makes them.
     */
    public Object afterFailure(SQLException first, SqlCall<?> call, RetryGate gate) throws Throwable {
        FailureClass c = classifier.classify(first);
        if (!allows(gate, first, c)) {
            throw first;
        }
        return retryStatement(call, gate, new RetryableFailure(first, c));
    }

    private Object retryStatement(SqlCall<?> call, RetryGate gate, RetryableFailure first) throws Throwable {
        List<SQLException> failures = new ArrayList<>(4);
        failures.add(first.failure);
        long t0 = System.nanoTime();
        try {
            return policies().statements.get(ctx -> {
                if (ctx.isFirstAttempt()) {
                    throw first; // the attempt already made outside Failsafe: let the policy count and delay it
                }
                try {
                    return call.call();
                } catch (SQLException e) {
                    failures.add(e);
                    FailureClass c = classifier.classify(e);
                    if (allows(gate, e, c)) {
                        throw new RetryableFailure(e, c);
                    }
                    throw e;
                }
            });
        } catch (RetryableFailure exhausted) {
            guard.stats().onGaveUp(exhausted.failureClass);
            LOG.log(Level.WARNING, "resilient-jdbc: giving up on a statement to {0} after {1} attempts: {2} (SQLState {3})",
                    new Object[]{guard.name(), failures.size(), exhausted.failureClass, exhausted.failure.getSQLState()});
            throw withEarlier(exhausted.failure, failures);
        } catch (FailsafeException wrapped) {
            throw unwrap(wrapped, failures);
        } finally {
            guard.waited(System.nanoTime() - t0);
        }
    }

    /**
     * Opens a physical connection for the embedded pool: retried like any connect (delays capped at
     * {@code connect.maxDelay}) but outside the breaker, which the application's borrows go through.
     */
    public Connection connectForPool(SqlCall<Connection> open) throws SQLException {
        List<SQLException> failures = new ArrayList<>(2);
        try {
            return (Connection) policies().poolConnects.get(ctx -> connectAttempt(open, null, failures, true));
        } catch (RetryableFailure exhausted) {
            throw withEarlier(exhausted.failure, failures);
        } catch (FailsafeException wrapped) {
            Throwable t = unwrap(wrapped, failures);
            if (t instanceof SQLException) {
                throw (SQLException) t;
            }
            throw new SQLException("connect failed: " + t, "08001", t);
        }
    }

    /** Opens a physical connection, retrying refused or overloaded servers within the connect budget, behind the breaker. */
    public Connection connect(SqlCall<Connection> open) throws SQLException {
        return connect(open, true);
    }

    /**
     * As {@link #connect} for a borrow from the target's own pool: the pool's physical connects take their turns
     * at a full server ({@link FullServerTurns}), its borrows do not (a borrow holding the turn would keep it from
     * the very connect it waits for).
     */
    public Connection borrow(SqlCall<Connection> borrow) throws SQLException {
        return connect(borrow, false);
    }

    private Connection connect(SqlCall<Connection> open, boolean physical) throws SQLException {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Connection c = connectUntimed(open, physical);
            ok = true;
            return c;
        } finally {
            long t1 = System.nanoTime();
            guard.observer().took(CallObserver.Kind.CONNECT, t1 - t0, !ok, t1);
        }
    }

    /**
     * One connect attempt, no retries and no breaker (resilient.readOnlyFallback asks whether a primary answers
     * before it turns to a standby): timed and counted as a connect.
     */
    public Connection connectOnce(SqlCall<Connection> open) throws SQLException {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Connection c = (Connection) invokeOpen(open, true);
            guard.connected();
            ok = true;
            return c;
        } finally {
            long t1 = System.nanoTime();
            guard.observer().took(CallObserver.Kind.CONNECT, t1 - t0, !ok, t1);
        }
    }

    private Connection connectUntimed(SqlCall<Connection> open, boolean physical) throws SQLException {
        CircuitBreaker<Object> breaker = guard.breaker();
        SQLException first;
        if (breaker == null || breaker.isClosed()) {
            // The healthy path (every pool borrow goes here) makes one attempt without Failsafe; only a failure
            // enters the policies, with this attempt counted as their first.
            try {
                Connection c = (Connection) invokeOpen(open, physical);
                if (breaker != null && breaker.getFailureCount() > 0) {
                    breaker.recordSuccess(); // as Failsafe would have: a success ends a run of failures
                }
                guard.connected();
                return c;
            } catch (SQLException e) {
                first = e;
                announceWait(e);
            }
        } else {
            first = null;
        }
        SQLException direct = first;
        List<SQLException> failures = new ArrayList<>(2);
        try {
            Connection c = (Connection) policies().connects.get(ctx -> connectAttempt(open, ctx.isFirstAttempt() ? direct : null, failures, physical));
            guard.connected();
            return c;
        } catch (RetryableFailure exhausted) {
            guard.stats().onConnectGaveUp();
            guard.lastGiveUp(exhausted.failure);
            LOG.log(Level.WARNING, "resilient-jdbc: giving up connecting to {0} after {1} attempts: {2} (SQLState {3})",
                    new Object[]{guard.name(), failures.size(), exhausted.failureClass, exhausted.failure.getSQLState()});
            throw withEarlier(exhausted.failure, failures);
        } catch (CircuitBreakerOpenException refused) {
            guard.stats().onBreakerRejected();
            long remaining = refused.getCircuitBreaker().getRemainingDelay().toMillis();
            SQLException e = new SQLTransientConnectionException("resilient-jdbc: circuit breaker for " + guard.name()
                    + " is open after repeated failed connects; failing fast for another " + remaining + " ms (until "
                    + LocalTime.now().plus(remaining, ChronoUnit.MILLIS).truncatedTo(ChronoUnit.MILLIS)
                    + "), then one probe connect is let through", "08001", guard.lastGiveUp());
            throw e;
        } catch (FailsafeException wrapped) {
            Throwable t = unwrap(wrapped, failures);
            if (t instanceof SQLException) {
                throw (SQLException) t;
            }
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw new SQLException("connect failed: " + t, "08001", t);
        }
    }

    /**
     * A person starting an application before its database must not stare at a silent process: the
     * first connect of an outage that will be retried says so at once, with how long and which option
     * sets that (the give-up WARNING comes only at the end). Class and SQLState only: a driver's message
     * may name hosts and users.
     */
    private void announceWait(SQLException e) {
        FailureClass c = classifier.classify(e);
        if (!RerunRules.connectMayRetry(c) || connectBudget.isZero() || !guard.startsConnectWait()) {
            return;
        }
        long ms = connectBudget.toMillis();
        LOG.log(Level.WARNING, "resilient-jdbc: cannot connect to {0} yet ({1}, SQLState {2}); retrying for up to {3} ms"
                        + " (resilient.connect.maxDuration, or the application''s loginTimeout when shorter) while the"
                        + " application waits; said once until a connect succeeds",
                new Object[]{guard.name(), c, e.getSQLState(), ms});
    }

    /**
     * One connect attempt inside a Failsafe policy: a failure the connect rules allow to retry goes back
     * to the policy as a {@link RetryableFailure}, anything else leaves as it is. {@code alreadyFailed}
     * is an attempt made before the policy took over, counted as this one.
     */
    private Connection connectAttempt(SqlCall<Connection> open, SQLException alreadyFailed, List<SQLException> failures,
                                      boolean physical) throws Throwable {
        try {
            if (alreadyFailed != null) {
                throw alreadyFailed;
            }
            return physical ? inTurn(open) : open.call();
        } catch (SQLException e) {
            failures.add(e);
            FailureClass c = classifier.classify(e);
            if (RerunRules.connectMayRetry(c)) {
                throw new RetryableFailure(e, c);
            }
            throw e;
        }
    }

    /** One connect attempt; while the server is full, in turn with the target's other connects ({@link FullServerTurns}). */
    private Connection inTurn(SqlCall<Connection> open) throws Throwable {
        FullServerTurns turns = guard.fullServerTurns();
        boolean held = turns.enter();
        try {
            Connection c = open.call();
            turns.accepted();
            return c;
        } catch (SQLException e) {
            turns.refused(e);
            throw e;
        } finally {
            if (held) {
                turns.leave();
            }
        }
    }

    private Object invokeOpen(SqlCall<Connection> open, boolean physical) throws SQLException {
        try {
            return physical ? inTurn(open) : open.call();
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new SQLException("connect failed: " + t, "08001", t);
        }
    }

    private boolean allows(RetryGate gate, SQLException e, FailureClass c) {
        guard.stats().onFailed(c);
        if (RerunRules.breaksAttempt(c)) {
            guard.failed(c, e);
        }
        return !RerunRules.applicationTimeLimit(e) && allowsUncounted(gate, e, c);
    }

    private static boolean allowsUncounted(RetryGate gate, SQLException e, FailureClass c) {
        try {
            return gate.allows(e, c);
        } catch (SQLException | RuntimeException unknown) {
            return false; // cannot tell whether it is safe: it is not
        }
    }

    private static Throwable unwrap(FailsafeException wrapped, List<SQLException> failures) {
        Throwable cause = wrapped.getCause();
        if (cause instanceof InterruptedException) {
            // Interrupted while waiting to retry: the application's own doing; keep the flag and give the real failure.
            Thread.currentThread().interrupt();
            SQLException last = failures.get(failures.size() - 1);
            last.addSuppressed(cause);
            return withEarlier(last, failures);
        }
        if (cause instanceof RetryableFailure) {
            return withEarlier(((RetryableFailure) cause).failure, failures);
        }
        return cause == null ? wrapped : cause;
    }

    private static SQLException withEarlier(SQLException last, List<SQLException> failures) {
        for (SQLException earlier : failures) {
            if (earlier != last) {
                last.addSuppressed(earlier);
            }
        }
        return last;
    }

    private void logRetry(ExecutionScheduledEvent<Object> e) {
        if (LOG.isLoggable(Level.FINE) && e.getLastException() instanceof RetryableFailure) {
            RetryableFailure f = (RetryableFailure) e.getLastException();
            LOG.log(Level.FINE, "resilient-jdbc: retrying a call to {0} in {1} ms after attempt {2} failed: {3} (SQLState {4})",
                    new Object[]{guard.name(), e.getDelay().toMillis(), e.getAttemptCount(), f.failureClass, f.failure.getSQLState()});
        }
    }

    private void countRetry(ExecutionAttemptedEvent<Object> e, boolean connect) {
        if (e.getLastException() instanceof RetryableFailure) {
            if (connect) {
                guard.stats().onConnectRetried();
            } else {
                guard.stats().onRetried(((RetryableFailure) e.getLastException()).failureClass);
            }
        }
    }
}
