package dev.resilientjdbc.demo.ledger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A bank-ledger workload against any JDBC URL ({@code jdbc:postgresql:}, {@code jdbc:sqlite:},
 * {@code jdbc:resilient:...}), using {@code java.sql} only. Each of {@link Builder#clients(int) M}
 * daemon threads holds one connection for the whole run and mixes money transfers (explicit
 * transactions) with autocommit reads, recording what the application saw so that
 * {@link LedgerChecker} can compare it with what the database kept.
 *
 * <p>Memory: the result keeps every transfer (about 150 bytes each).
 */
public final class LedgerWorkload {

    private final String url;
    private final Properties properties;
    private final LedgerSchema schema;
    private final int clients;
    private final Duration duration;
    private final long operations;
    private final double readShare;
    private final long maxAmount;
    private final long seed;
    private final boolean deadlockProne;
    private final boolean reopenClosedConnections;
    private final boolean resetSchema;
    private final Duration stopGrace;
    private final javax.sql.DataSource pool;
    private final TurnGate gate;

    private LedgerWorkload(Builder b) {
        this.url = b.url;
        this.properties = new Properties();
        this.properties.putAll(b.properties);
        this.schema = new LedgerSchema(b.accounts, b.initialBalance);
        this.clients = b.clients;
        this.duration = b.duration;
        this.operations = b.operations;
        this.readShare = b.readShare;
        this.maxAmount = b.maxAmount;
        this.seed = b.seed;
        this.deadlockProne = b.deadlockProne;
        this.reopenClosedConnections = b.reopenClosedConnections;
        this.resetSchema = b.resetSchema;
        this.stopGrace = b.stopGrace;
        this.pool = b.pool;
        this.gate = b.gate;
    }

    /** The application's pool each operation borrows a connection from, or null: one long-lived connection per client. */
    javax.sql.DataSource pool() {
        return pool;
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    /**
     * Resets the schema (unless {@link Builder#resetSchema(boolean) told not to}) and starts the
     * client threads; the returned run must be closed.
     */
    public LedgerRun start() throws SQLException {
        if (resetSchema) {
            try (Connection c = DriverManager.getConnection(url, properties)) {
                schema.reset(c);
            }
        }
        return LedgerRun.start(this);
    }

    /** {@link #start()}, wait until the run ends (duration, operation count or timeout), and return what happened. */
    public Result run() throws SQLException, InterruptedException {
        try (LedgerRun run = start()) {
            return run.awaitResult();
        }
    }

    /** Null: the clients work whenever the run is on. */
    TurnGate gate() {
        return gate;
    }

    String url() {
        return url;
    }

    /** A copy each time: drivers may keep or change the object they are given. */
    Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    public LedgerSchema schema() {
        return schema;
    }

    int clients() {
        return clients;
    }

    Duration duration() {
        return duration;
    }

    long operations() {
        return operations;
    }

    double readShare() {
        return readShare;
    }

    long maxAmount() {
        return maxAmount;
    }

    long seed() {
        return seed;
    }

    boolean deadlockProne() {
        return deadlockProne;
    }

    boolean reopenClosedConnections() {
        return reopenClosedConnections;
    }

    Duration stopGrace() {
        return stopGrace;
    }

    @Override
    public String toString() {
        return "LedgerWorkload[" + LedgerRun.redact(url) + ", " + schema + ", clients=" + clients + ", duration=" + duration
                + (operations >= 0 ? ", operations=" + operations : "") + ", readShare=" + readShare
                + (deadlockProne ? ", deadlockProne" : "") + ", seed=" + seed + "]";
    }

    /** Settings; only the URL is required. */
    public static final class Builder {
        private final String url;
        private final Properties properties = new Properties();
        private int accounts = 10;
        private long initialBalance = 1000;
        private int clients = 4;
        private Duration duration = Duration.ofSeconds(10);
        private long operations = -1;
        private double readShare = 0.2;
        private long maxAmount = 100;
        private long seed = 1;
        private boolean deadlockProne;
        private boolean reopenClosedConnections = true;
        private boolean resetSchema = true;
        private Duration stopGrace = Duration.ofSeconds(10);
        private javax.sql.DataSource pool;
        private TurnGate gate;

        private Builder(String url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /**
         * Clients borrow a connection from {@code pool} (the application's pool over {@link #builder(String) url})
         * for each transfer or read and give it back after, as request-scoped applications do, instead of keeping
         * one for the whole run. The schema is still reset through the URL with {@link #properties(Properties)}.
         */
        public Builder pooled(javax.sql.DataSource pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /**
         * Clients run operations only while {@code gate} is open (it starts closed); each connects first and
         * then waits at it. For runs that take turns on one database, e.g. raw and resilient side by side.
         */
        public Builder gate(TurnGate gate) {
            this.gate = Objects.requireNonNull(gate, "gate");
            return this;
        }

        /** Connection properties (user, password, driver settings), copied. */
        public Builder properties(Properties properties) {
            this.properties.clear();
            this.properties.putAll(properties);
            return this;
        }

        public Builder accounts(int accounts) {
            if (accounts < 2) {
                throw new IllegalArgumentException("accounts must be at least 2: " + accounts);
            }
            this.accounts = accounts;
            return this;
        }

        public Builder initialBalance(long initialBalance) {
            if (initialBalance < 0) {
                throw new IllegalArgumentException("initialBalance must not be negative: " + initialBalance);
            }
            this.initialBalance = initialBalance;
            return this;
        }

        /** Number of client threads, each with its own connection; default 4. */
        public Builder clients(int clients) {
            if (clients < 1) {
                throw new IllegalArgumentException("clients must be positive: " + clients);
            }
            this.clients = clients;
            return this;
        }

        /** How long the clients run; also the bound for an {@link #operations(long)}-limited run. Default 10 s. */
        public Builder duration(Duration duration) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be positive: " + duration);
            }
            this.duration = duration;
            return this;
        }

        /** Stop after this many operations (transfers and reads, all clients together), or when the duration ends, whichever comes first. */
        public Builder operations(long operations) {
            if (operations < 1) {
                throw new IllegalArgumentException("operations must be positive: " + operations);
            }
            this.operations = operations;
            return this;
        }

        /** Fraction of operations that are autocommit reads; default 0.2. */
        public Builder readShare(double readShare) {
            if (!(readShare >= 0 && readShare <= 1)) {
                throw new IllegalArgumentException("readShare must be in [0, 1]: " + readShare);
            }
            this.readShare = readShare;
            return this;
        }

        /** Transfer amounts are uniform in {@code 1..maxAmount}; default 100. */
        public Builder maxAmount(long maxAmount) {
            if (maxAmount < 1) {
                throw new IllegalArgumentException("maxAmount must be positive: " + maxAmount);
            }
            this.maxAmount = maxAmount;
            return this;
        }

        /** Seeds the choice of operations, accounts and amounts (transfer ids are random UUIDs regardless). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Lock the two accounts in transfer direction instead of id order, so opposite transfers deadlock. */
        public Builder deadlockProne(boolean deadlockProne) {
            this.deadlockProne = deadlockProne;
            return this;
        }

        /** After a failure, replace a connection that reports {@code isClosed()} (or fails {@code isValid} after a connection error); default true. */
        public Builder reopenClosedConnections(boolean reopen) {
            this.reopenClosedConnections = reopen;
            return this;
        }

        /** Empty the journal and restore balances before starting; default true. */
        public Builder resetSchema(boolean resetSchema) {
            this.resetSchema = resetSchema;
            return this;
        }

        /** How long past the end of the run a client may take to finish its last operation before it is interrupted, its connection aborted and it is reported hung; default 10 s. */
        public Builder stopGrace(Duration stopGrace) {
            if (stopGrace.isNegative()) {
                throw new IllegalArgumentException("stopGrace must not be negative: " + stopGrace);
            }
            this.stopGrace = stopGrace;
            return this;
        }

        public LedgerWorkload build() {
            return new LedgerWorkload(this);
        }
    }

    /** What the application side saw during one run. Immutable. */
    public static final class Result {
        private final String url;
        private final LedgerSchema schema;
        private final Duration elapsed;
        private final Map<String, Transfer> acknowledged;
        private final Map<String, Failure> failures;
        private final Map<String, Transfer> declined;
        private final Map<String, Transfer> inFlight;
        private final List<String> hungThreads;
        private final Map<String, Long> readFailuresBySqlState;
        private final long readsOk;
        private final long inconsistentReads;
        private final long reopens;
        private final long connectFailures;
        private final Map<String, Long> connectFailuresBySqlState;
        private final LatencySummary transferLatency;
        private final LatencySummary readLatency;
        private final Duration longestPause;
        private final String longestPauseThread;

        Result(String url, LedgerSchema schema, Duration elapsed, List<WorkerLog.Snapshot> logs, List<String> hungThreads) {
            this.url = url;
            this.schema = schema;
            this.elapsed = elapsed;
            Map<String, Transfer> ack = new HashMap<>();
            Map<String, Failure> failed = new LinkedHashMap<>();
            Map<String, Transfer> decl = new HashMap<>();
            Map<String, Transfer> flying = new HashMap<>();
            Map<String, Long> readFailures = new TreeMap<>();
            Map<String, Long> connectFailureStates = new TreeMap<>();
            long ok = 0;
            long inconsistent = 0;
            long reopened = 0;
            long connects = 0;
            long pause = -1;
            String pauseThread = null;
            List<long[]> transferSamples = new ArrayList<>();
            List<long[]> readSamples = new ArrayList<>();
            for (WorkerLog.Snapshot s : logs) {
                s.acknowledged().forEach(t -> ack.put(t.id(), t));
                s.failures().forEach(f -> failed.put(f.transfer().id(), f));
                s.declined().forEach(t -> decl.put(t.id(), t));
                if (s.inFlight() != null) {
                    flying.put(s.inFlight().id(), s.inFlight());
                }
                s.readFailureStates().forEach(state -> readFailures.merge(String.valueOf(state), 1L, Long::sum));
                ok += s.readNanos().length;
                inconsistent += s.inconsistentReads();
                reopened += s.reopens();
                connects += s.connectFailures();
                s.connectFailureStates().forEach(state -> connectFailureStates.merge(state, 1L, Long::sum));
                if (s.longestPauseNanos() > pause) {
                    pause = s.longestPauseNanos();
                    pauseThread = s.threadName();
                }
                transferSamples.add(s.transferNanos());
                readSamples.add(s.readNanos());
            }
            this.acknowledged = Collections.unmodifiableMap(ack);
            this.failures = Collections.unmodifiableMap(failed);
            this.declined = Collections.unmodifiableMap(decl);
            this.inFlight = Collections.unmodifiableMap(flying);
            this.hungThreads = List.copyOf(hungThreads);
            this.readFailuresBySqlState = Collections.unmodifiableMap(readFailures);
            this.readsOk = ok;
            this.inconsistentReads = inconsistent;
            this.reopens = reopened;
            this.connectFailures = connects;
            this.connectFailuresBySqlState = Collections.unmodifiableMap(connectFailureStates);
            this.transferLatency = LatencySummary.of(concat(transferSamples));
            this.readLatency = LatencySummary.of(concat(readSamples));
            this.longestPause = Duration.ofNanos(Math.max(0, pause));
            this.longestPauseThread = pauseThread;
        }

        // A result rebuilt from its parts, as another process reported it (see ResultLines), or a checker test made.
        public Result(String url, LedgerSchema schema, Duration elapsed, Map<String, Transfer> acknowledged, Map<String, Failure> failures,
               Map<String, Transfer> declined, Map<String, Transfer> inFlight, List<String> hungThreads,
               Map<String, Long> readFailuresBySqlState, long readsOk, long inconsistentReads, long reopens, long connectFailures,
               LatencySummary transferLatency, LatencySummary readLatency, Duration longestPause, String longestPauseThread) {
            this.url = url;
            this.schema = schema;
            this.elapsed = elapsed;
            this.acknowledged = Collections.unmodifiableMap(new HashMap<>(acknowledged));
            this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
            this.declined = Collections.unmodifiableMap(new HashMap<>(declined));
            this.inFlight = Collections.unmodifiableMap(new HashMap<>(inFlight));
            this.hungThreads = List.copyOf(hungThreads);
            this.readFailuresBySqlState = Collections.unmodifiableMap(new TreeMap<>(readFailuresBySqlState));
            this.readsOk = readsOk;
            this.inconsistentReads = inconsistentReads;
            this.reopens = reopens;
            this.connectFailures = connectFailures;
            this.connectFailuresBySqlState = connectFailures == 0 ? Map.of() : Map.of("?", connectFailures); // the lines carry the count only
            this.transferLatency = transferLatency;
            this.readLatency = readLatency;
            this.longestPause = longestPause;
            this.longestPauseThread = longestPauseThread;
        }

        private static long[] concat(List<long[]> parts) {
            long[] all = new long[parts.stream().mapToInt(p -> p.length).sum()];
            int at = 0;
            for (long[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }

        public String url() {
            return url;
        }

        public LedgerSchema schema() {
            return schema;
        }

        /** Wall time from the start of the clients to the last one ending (or being given up on). */
        public Duration elapsed() {
            return elapsed;
        }

        /** Transfers whose {@code commit()} returned normally, by id. */
        public Map<String, Transfer> acknowledged() {
            return acknowledged;
        }

        public long committed() {
            return acknowledged.size();
        }

        /** Transfers where a statement or {@code commit()} threw, by id, in the order seen per thread. */
        public Map<String, Failure> failures() {
            return failures;
        }

        public long failed() {
            return failures.size();
        }

        /** Failure counts by SQLState ({@code "null"} when the driver gave none), sorted. */
        public Map<String, Long> failuresBySqlState() {
            Map<String, Long> counts = new TreeMap<>();
            failures.values().forEach(f -> counts.merge(String.valueOf(f.sqlState()), 1L, Long::sum));
            return counts;
        }

        /** Failure counts by exception class name, sorted. */
        public Map<String, Long> failuresByExceptionClass() {
            Map<String, Long> counts = new TreeMap<>();
            failures.values().forEach(f -> counts.merge(f.exceptionClass(), 1L, Long::sum));
            return counts;
        }

        /** Ids of transfers that failed with SQLState {@code 08007}: either outcome is allowed. */
        public List<String> unknownOutcomeIds() {
            return failures.values().stream().filter(Failure::outcomeUnknown).map(f -> f.transfer().id()).toList();
        }

        /** Ids of transfers that failed with SQLState {@code 40001} (serialization failure or diverged replay). */
        public List<String> serializationFailureIds() {
            return failures.values().stream().filter(Failure::serialization).map(f -> f.transfer().id()).toList();
        }

        /** Ids of transfers whose {@code commit()} failed with a lost connection (not {@code 08007}). */
        public List<String> connectionLostAtCommitIds() {
            return failures.values().stream().filter(Failure::connectionLostAtCommit).map(f -> f.transfer().id()).toList();
        }

        /** Transfers rolled back by the app because the source account had too little money. */
        public Map<String, Transfer> declined() {
            return declined;
        }

        /** Transfers still inside a driver call when their thread was given up on (see {@link #hungThreads()}); either outcome is allowed. */
        public Map<String, Transfer> inFlight() {
            return inFlight;
        }

        /** Names of client threads that had not ended by the end of the run plus the stop grace, even after interrupt and {@code Connection.abort}. */
        public List<String> hungThreads() {
            return hungThreads;
        }

        public long readsOk() {
            return readsOk;
        }

        public long readsFailed() {
            return readFailuresBySqlState.values().stream().mapToLong(Long::longValue).sum();
        }

        public Map<String, Long> readFailuresBySqlState() {
            return readFailuresBySqlState;
        }

        /** Autocommit {@code sum(balance)} reads that did not see the expected total. */
        public long inconsistentReads() {
            return inconsistentReads;
        }

        /** Connections the clients dropped after a failure because they were closed (a new one is opened before the client's next operation). */
        public long reopens() {
            return reopens;
        }

        /** {@code getConnection} calls that failed (the client backs off and tries again). */
        public long connectFailures() {
            return connectFailures;
        }

        /** {@link #connectFailures()} by the SQLState of the failed {@code getConnection} ({@code ?} when rebuilt from another process's lines). */
        public Map<String, Long> connectFailuresBySqlState() {
            return connectFailuresBySqlState;
        }

        /** Latency of acknowledged transfers, from {@code setAutoCommit(false)} to {@code commit()} returning. */
        public LatencySummary transferLatency() {
            return transferLatency;
        }

        public LatencySummary readLatency() {
            return readLatency;
        }

        /** Acknowledged transfers per second. */
        public double transfersPerSecond() {
            double seconds = elapsed.toNanos() / 1e9;
            return seconds > 0 ? committed() / seconds : 0;
        }

        /** Longest time any one client went without a successful operation (counting the run's start and end as edges). */
        public Duration longestPause() {
            return longestPause;
        }

        /** The client thread that had {@link #longestPause()}. */
        public String longestPauseThread() {
            return longestPauseThread;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append("Ledger run on ").append(LedgerRun.redact(url)).append(" for ").append(elapsed.toMillis()).append(" ms\n");
            sb.append(String.format("  transfers: %d committed (%.0f/s), %d failed %s, %d declined%n",
                    committed(), transfersPerSecond(), failed(), failuresBySqlState(), declined.size()));
            sb.append("    unknown outcome (08007): ").append(unknownOutcomeIds().size())
                    .append(", 40001: ").append(serializationFailureIds().size())
                    .append(", connection lost at commit: ").append(connectionLostAtCommitIds().size())
                    .append(", in flight when given up: ").append(inFlight.size()).append('\n');
            sb.append("  reads: ").append(readsOk).append(" ok, ").append(readsFailed()).append(" failed ")
                    .append(readFailuresBySqlState).append(", ").append(inconsistentReads).append(" inconsistent\n");
            sb.append("  latency: transfers ").append(transferLatency).append("; reads ").append(readLatency).append('\n');
            sb.append("  longest pause: ").append(longestPause.toMillis()).append(" ms (").append(longestPauseThread).append(")")
                    .append(", reopens: ").append(reopens).append(", failed connects: ").append(connectFailures);
            if (!hungThreads.isEmpty()) {
                sb.append("\n  HUNG threads: ").append(hungThreads);
            }
            return sb.toString();
        }
    }
}
