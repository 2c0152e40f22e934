package dev.resilientjdbc.faulty;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * One fault: which calls it hits (method names, or {@code connect}), when (the nth matching calls,
 * a rate, a time window), what it throws (SQLState, vendor code, exception type) and whether the
 * real call runs first ({@link When#AFTER}: the work is done but the caller hears a failure — a
 * reply lost on the way back).
 */
public final class FaultRule {
    /** Whether the real call happens before the fault is thrown. */
    public enum When { BEFORE, AFTER }

    /** The exception type thrown. */
    public enum Kind {
        PLAIN, TRANSIENT_CONNECTION, NON_TRANSIENT_CONNECTION, RECOVERABLE, TRANSACTION_ROLLBACK, TIMEOUT;

        SQLException create(String message, String state, int code) {
            switch (this) {
                case TRANSIENT_CONNECTION: return new SQLTransientConnectionException(message, state, code);
                case NON_TRANSIENT_CONNECTION: return new SQLNonTransientConnectionException(message, state, code);
                case RECOVERABLE: return new SQLRecoverableException(message, state, code);
                case TRANSACTION_ROLLBACK: return new SQLTransactionRollbackException(message, state, code);
                case TIMEOUT: return new SQLTimeoutException(message, state, code);
                default: return new SQLException(message, state, code);
            }
        }
    }

    final Set<String> methods;
    final Set<Long> nth;
    final double rate;
    final Duration from;
    final Duration until;
    final String sqlState;
    final int vendorCode;
    final Kind kind;
    final When when;
    final long maxFaults;

    private FaultRule(Builder b) {
        this.methods = Set.copyOf(b.methods);
        this.nth = Set.copyOf(b.nth);
        this.rate = b.rate;
        this.from = b.from;
        this.until = b.until;
        this.sqlState = b.sqlState;
        this.vendorCode = b.vendorCode;
        this.kind = b.kind;
        this.when = b.when;
        this.maxFaults = b.maxFaults;
    }

    public static Builder on(String... methods) {
        Builder b = new Builder();
        for (String m : methods) {
            b.methods.add(m);
        }
        return b;
    }

    boolean matches(String method) {
        return methods.contains(method) || methods.contains("*") && !"connect".equals(method);
    }

    @Override
    public String toString() {
        return "FaultRule{on=" + methods + ", nth=" + nth + ", rate=" + rate + ", window=" + from + ".." + until
                + ", state=" + sqlState + ", code=" + vendorCode + ", kind=" + kind + ", when=" + when + "}";
    }

    /** Builds a rule; without nth, rate or window, every matching call fails. */
    public static final class Builder {
        private final Set<String> methods = new TreeSet<>();
        private final Set<Long> nth = new TreeSet<>();
        private double rate = -1;
        private Duration from = Duration.ZERO;
        private Duration until = null;
        private String sqlState = "08006";
        private int vendorCode = 0;
        private Kind kind = Kind.PLAIN;
        private When when = When.BEFORE;
        private long maxFaults = Long.MAX_VALUE;

        /**
         * Fail the given matching calls, counted from 1. A rule counts the calls that reach it: when an
         * earlier rule of the plan fires, it takes the call and later rules do not see it.
         */
        public Builder nth(long... calls) {
            for (long n : calls) {
                if (n < 1) {
                    throw new IllegalArgumentException("calls are counted from 1, got " + n);
                }
                nth.add(n);
            }
            return this;
        }

        /** Fail calls 1..n. */
        public Builder first(long n) {
            for (long i = 1; i <= n; i++) {
                nth.add(i);
            }
            return this;
        }

        /** Fail each matching call with this probability (drawn from the plan's seeded random). */
        public Builder rate(double probability) {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("rate is a probability from 0 to 1, got " + probability);
            }
            this.rate = probability;
            return this;
        }

        /** Only calls made between {@code from} and {@code until} after the plan was armed. */
        public Builder window(Duration from, Duration until) {
            this.from = from;
            this.until = until;
            return this;
        }

        public Builder sqlState(String state) {
            this.sqlState = state;
            return this;
        }

        public Builder vendorCode(int code) {
            this.vendorCode = code;
            return this;
        }

        public Builder kind(Kind kind) {
            this.kind = kind;
            return this;
        }

        /** Run the real call, then throw: the work happened, the caller was told it failed. */
        public Builder afterCall() {
            this.when = When.AFTER;
            return this;
        }

        /** At most this many faults from this rule. */
        public Builder atMost(long faults) {
            this.maxFaults = faults;
            return this;
        }

        public FaultRule build() {
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("name the calls the fault hits, e.g. on(\"executeUpdate\"), on(\"connect\") or on(\"*\")");
            }
            return new FaultRule(this);
        }
    }
}
