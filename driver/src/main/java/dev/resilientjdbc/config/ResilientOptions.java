package dev.resilientjdbc.config;

import dev.resilientjdbc.classify.ClassOverrides;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Every option the driver understands, declared once. Add an option here and in docs/OPTIONS.md's
 * table together; {@code ReadmeOptionTableTest} fails when the two disagree.
 */
public final class ResilientOptions {
    private ResilientOptions() {}

    /** Which failure classifier to use; {@code auto} picks it from the real URL. */
    public enum DialectChoice { AUTO, POSTGRESQL, SQLITE, GENERIC }

    public static final Option<Boolean> ENABLED = new Option<>("resilient.enabled", OptionType.bool(), true, "true",
            "false hands the application the real driver's connection unchanged: no proxies, no recovery"
                    + " (an off switch that needs no code change)");

    public static final Option<DialectChoice> DIALECT = new Option<>("resilient.dialect",
            OptionType.oneOf(DialectChoice.class), DialectChoice.AUTO, "auto",
            "how failures are classified: postgresql by SQLState, sqlite by result code, generic by SQLState class"
                    + " and exception type; auto picks by the real URL");

    public static final Option<ClassOverrides> CLASSIFY_OVERRIDES = new Option<>("resilient.classify.overrides",
            OptionType.custom(ClassOverrides.ACCEPTED, new OverridesParser()), ClassOverrides.NONE, "(none)",
            "your own failure classes, winning over the dialect's: comma-separated SQLSTATE=CLASS, CLASSPREFIX=CLASS"
                    + " (two characters) or code:N=CLASS, e.g. 57014=FATAL,code:517=TRANSACTION");

    public static final Option<BackoffStrategy> RETRY_STRATEGY = new Option<>("resilient.retry.strategy",
            OptionType.oneOf(BackoffStrategy.class), BackoffStrategy.EXPONENTIAL, "exponential",
            "delay between attempts: exponential (baseDelay × multiplier^n up to maxDelay), linear (baseDelay × n up to"
                    + " maxDelay), fixed (baseDelay), random (uniform between baseDelay and maxDelay)");

    public static final Option<Integer> RETRY_MAX_ATTEMPTS = new Option<>("resilient.retry.maxAttempts",
            OptionType.integer(1, 1000), 10, "10",
            "most attempts of one statement, the first included; 1 turns statement retries off");

    public static final Option<Duration> RETRY_BASE_DELAY = new Option<>("resilient.retry.baseDelay",
            OptionType.duration(Duration.ofMillis(1), Duration.ofMinutes(1)), Duration.ofMillis(10), "10ms",
            "delay before the first retry, and the step of the linear strategy");

    public static final Option<Duration> RETRY_MAX_DELAY = new Option<>("resilient.retry.maxDelay",
            OptionType.duration(Duration.ofMillis(2), Duration.ofMinutes(5)), Duration.ofSeconds(2), "2s",
            "longest delay between two attempts; must be more than baseDelay");

    public static final Option<Double> RETRY_MULTIPLIER = new Option<>("resilient.retry.multiplier",
            OptionType.decimal(1.1, 10), 2.0, "2.0", "growth factor of the exponential strategy");

    public static final Option<Double> RETRY_JITTER = new Option<>("resilient.retry.jitter",
            OptionType.decimal(0, 1), 0.25, "0.25",
            "random spread of each delay as a fraction of it (0.25 = ±25%), so that clients do not retry in step;"
                    + " not used by the random strategy");

    public static final Option<Duration> RETRY_MAX_DURATION = new Option<>("resilient.retry.maxDuration",
            OptionType.duration(Duration.ZERO, Duration.ofHours(1)), Duration.ofSeconds(30), "30s",
            "most time one statement may spend retrying, all attempts together; then the last error is thrown");

    public static final Option<Duration> CONNECT_MAX_DURATION = new Option<>("resilient.connect.maxDuration",
            OptionType.duration(Duration.ZERO, Duration.ofHours(1)), Duration.ofSeconds(30), "30s",
            "most time a connect may spend retrying refused, unavailable or overloaded servers (08001, 57P03, 53300, ...);"
                    + " unset, 60s for a PostgreSQL URL naming several hosts (an HA cluster's failover); 0 tries once; never longer than the application's own loginTimeout (pgjdbc's property, or"
                    + " DriverManager.setLoginTimeout) when one is set");

    public static final Option<Duration> CONNECT_MAX_DELAY = new Option<>("resilient.connect.maxDelay",
            OptionType.duration(Duration.ofMillis(1), Duration.ofMinutes(5)), Duration.ofMillis(200), "200ms",
            "longest delay between two connects while the server refuses or cannot be reached: it bounds how long after"
                    + " the server is back the application waits; servers out of resources (too many connections) are"
                    + " still backed off up to retry.maxDelay");

    public static final Option<Boolean> READ_ONLY_FALLBACK = new Option<>("resilient.readOnlyFallback",
            OptionType.bool(), false, "false",
            "PostgreSQL multi-host URL (h1,h2,...; targetServerType unset, primary or preferPrimary): while no primary can be"
                    + " reached, connections the application made read-only and autocommit queries are served by a standby;"
                    + " writes and transactions of other connections wait for a primary within connect.maxDuration, then fail"
                    + " with SQLState 08001 naming the situation; writes always go to a primary (targetServerType=primary)."
                    + " Not with resilient.pool (ignored, one WARNING)");

    public static final Option<Boolean> BREAKER_ENABLED = new Option<>("resilient.breaker.enabled", OptionType.bool(),
            true, "true", "whether a circuit breaker per target makes connects fail fast while the target is down");

    public static final Option<Integer> BREAKER_FAILURE_THRESHOLD = new Option<>("resilient.breaker.failureThreshold",
            OptionType.integer(1, 10_000), 5, "5",
            "consecutive connects that exhausted their whole retry budget before the breaker opens");

    public static final Option<Duration> BREAKER_OPEN_DURATION = new Option<>("resilient.breaker.openDuration",
            OptionType.duration(Duration.ofMillis(10), Duration.ofHours(1)), Duration.ofSeconds(10), "10s",
            "how long an open breaker fails connects at once before letting a probe through (half-open)");

    public static final Option<Integer> BREAKER_SUCCESS_THRESHOLD = new Option<>("resilient.breaker.successThreshold",
            OptionType.integer(1, 1000), 1, "1", "successful probe connects that close a half-open breaker");

    public static final Option<Integer> REPLAY_MAX_BYTES = new Option<>("resilient.replay.maxBytes",
            OptionType.integer(0, 1 << 30), 1 << 20, "1048576",
            "memory one explicit transaction's replay log may use (calls, parameters, digests of what was read);"
                    + " past it the transaction is not replayable and a lost connection fails it; 0 turns replay off");

    public static final Option<Duration> REPLAY_FIRST_WAIT = new Option<>("resilient.replay.firstWait",
            OptionType.duration(Duration.ZERO, Duration.ofMinutes(1)), Duration.ofSeconds(2), "2s",
            "after a failure, how long new work (an autocommit statement, a transaction's first statement) on a target"
                    + " waits while interrupted transactions of that target reconnect and replay, so that they read what they"
                    + " read before instead of what the new work wrote (40001); only while a replay is under way; 0 turns it off");

    public static final Option<Boolean> AUTOCOMMIT_EXACTLY_ONCE = new Option<>("resilient.autocommit.exactlyOnce",
            OptionType.bool(), false, "false",
            "PostgreSQL: make each autocommit write exactly-once, so that a write whose reply was lost is resolved"
                    + " (applied once, or run again) instead of reported 08007. An INSERT, UPDATE or DELETE without RETURNING"
                    + " goes with its marker write in one exchange, no round trip more; any other write (generated keys, a"
                    + " leading comment, a batch) runs in a transaction of its own, one round trip more");

    public static final Option<Boolean> INDOUBT_EVIDENCE = new Option<>("resilient.indoubt.evidence",
            OptionType.bool(), true, "true",
            "PostgreSQL: false gathers no evidence of a COMMIT's outcome (no marker row, no transaction id query): a"
                    + " writing COMMIT costs what the raw driver's does, and one whose reply was lost answers 08007 at once"
                    + " instead of being settled; resilient.indoubt.marker, markerTable and fenceWait then do nothing and may"
                    + " not be set, nor resilient.autocommit.exactlyOnce=true");

    public static final Option<Boolean> INDOUBT_MARKER = new Option<>("resilient.indoubt.marker",
            OptionType.bool(), true, "true",
            "PostgreSQL: every writing transaction also writes a marker row (one per open connection, updated in place),"
                    + " sent in the same round trip as its COMMIT, so that a COMMIT whose reply was lost is settled even"
                    + " across a server crash, restart or promotion; where the table cannot be used (one WARNING) or with"
                    + " false: the transaction id is the evidence (same server run only; one more round trip per writing COMMIT)");

    public static final Option<String> INDOUBT_MARKER_TABLE = new Option<>("resilient.indoubt.markerTable",
            OptionType.matching("a table name or schema.table, letters, digits and _ only, each part at most 63 characters",
                    "[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?"),
            "resilient_commit_marker", "resilient_commit_marker",
            "the table resilient.indoubt.marker writes to; created at the first connection when missing"
                    + " (needs CREATE on its schema then, else create it as docs/RECOVERY.md shows)");

    public static final Option<Duration> INDOUBT_FENCE_WAIT = new Option<>("resilient.indoubt.fenceWait",
            OptionType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(5), "5s",
            "PostgreSQL, with resilient.indoubt.marker: settling a COMMIT whose reply was lost waits this long at most for"
                    + " the marker row's lock, which the old transaction holds while it is still committing (a slow disk, a"
                    + " synchronous standby that has not answered) and its session could not be ended, then leaves the"
                    + " outcome unknown (08007); longer turns"
                    + " more of those into a definite answer, and commit() waits that much longer; keep it below the real"
                    + " driver's socketTimeout");

    public static final Option<Boolean> SQLITE_SERIALIZE_TRANSACTIONS = new Option<>("resilient.sqlite.serializeTransactions",
            OptionType.bool(), true, "true",
            "run explicit transactions on one SQLite file one at a time within the JVM, so that they never meet as"
                    + " SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT after reading data the other then changes (which no replay can hide)");

    public static final Option<String> SQLITE_BACKUP_DIR = new Option<>("resilient.sqlite.backup.dir",
            OptionType.matching("a directory path (at most 4096 characters, no control characters)", "[^\\p{Cntrl}]{1,4096}"),
            "", "(none)",
            "SQLite: take a verified online backup of the database file into this directory every backup.interval, from"
                    + " the first connection on (one thread per file per JVM); none when not set");

    public static final Option<Duration> SQLITE_BACKUP_INTERVAL = new Option<>("resilient.sqlite.backup.interval",
            OptionType.duration(Duration.ofSeconds(1), Duration.ofHours(24 * 31)), Duration.ofHours(1), "1h",
            "time between two backups; the first is due this long after the newest verified one in the directory");

    public static final Option<Integer> SQLITE_BACKUP_KEEP = new Option<>("resilient.sqlite.backup.keep",
            OptionType.integer(1, 10_000), 7, "7",
            "verified backups kept; older ones are deleted after each new verified backup, the last verified one never");

    public static final Option<Boolean> SQLITE_BACKUP_COMPRESS = new Option<>("resilient.sqlite.backup.compress",
            OptionType.bool(), true, "true", "store backups gzip-compressed (fastest level); verification runs on the"
                    + " decompressed copy");

    public static final Option<Check> SQLITE_BACKUP_VERIFY = new Option<>(
            "resilient.sqlite.backup.verify", OptionType.oneOf(Check.class),
            Check.INTEGRITY_CHECK, "integrity_check",
            "how each backup is checked before it counts: integrity_check (full) or quick_check (faster, skips index"
                    + " contents); a backup that fails is deleted and reported");

    public static final Option<Recover> SQLITE_RECOVER = new Option<>("resilient.sqlite.recover",
            OptionType.oneOf(Recover.class), Recover.OFF, "off",
            "restore: when the first connection finds the file damaged (SQLITE_CORRUPT, SQLITE_NOTADB) or missing while"
                    + " verified backups exist, put the newest verified backup in place, the damaged file kept aside;"
                    + " needs backup.dir");

    public static final Option<Boolean> POOL = new Option<>("resilient.pool", OptionType.bool(), false, "false",
            "DriverManager.getConnection borrows from an embedded HikariCP pool per target and close() returns the"
                    + " connection: a pool for applications that open a connection per request, with no code change");

    public static final Option<Integer> POOL_MAX_SIZE = new Option<>("resilient.pool.maxSize", OptionType.integer(1, 10_000), 10, "10",
            "most physical connections in the pool (HikariCP maximumPoolSize)");

    public static final Option<Integer> POOL_MIN_IDLE = new Option<>("resilient.pool.minIdle", OptionType.integer(0, 10_000), 2, "2",
            "idle connections the pool keeps ready (HikariCP minimumIdle); at most maxSize, a larger value is rejected; when not given, 2 or maxSize if that is smaller");

    public static final Option<Duration> POOL_CONNECTION_TIMEOUT = new Option<>("resilient.pool.connectionTimeout",
            OptionType.duration(Duration.ofMillis(250), Duration.ofHours(1)), Duration.ofSeconds(30), "30s",
            "how long a borrow waits for a free connection (HikariCP connectionTimeout)");

    public static final Option<Duration> POOL_IDLE_TIMEOUT = new Option<>("resilient.pool.idleTimeout",
            OptionType.offOrDuration(Duration.ofSeconds(10), Duration.ofHours(24)), Duration.ofMinutes(10), "10m",
            "how long an idle connection above minIdle is kept (HikariCP idleTimeout; 0 keeps them); at least 1s less"
                    + " than maxLifetime");

    public static final Option<Duration> POOL_MAX_LIFETIME = new Option<>("resilient.pool.maxLifetime",
            OptionType.offOrDuration(Duration.ofSeconds(30), Duration.ofHours(24)), Duration.ofMinutes(30), "30m",
            "how long a physical connection lives at most (HikariCP maxLifetime; 0 for ever)");

    public static final Option<Duration> POOL_VALIDATION_TIMEOUT = new Option<>("resilient.pool.validationTimeout",
            OptionType.duration(Duration.ofMillis(250), Duration.ofMinutes(1)), Duration.ofSeconds(5), "5s",
            "how long the pool's check that a connection is alive may take (HikariCP validationTimeout)");

    public static final Option<Duration> POOL_LEAK_DETECTION_THRESHOLD = new Option<>("resilient.pool.leakDetectionThreshold",
            OptionType.offOrDuration(Duration.ofSeconds(2), Duration.ofHours(1)), Duration.ZERO, "0",
            "log a warning when a connection is borrowed longer than this (HikariCP leakDetectionThreshold; 0 off);"
                    + " at most maxLifetime");

    public static final Option<Boolean> METRICS_ENABLED = new Option<>("resilient.metrics.enabled", OptionType.bool(), true, "true",
            "count retries, reconnects, replays, divergences, in-doubt outcomes and breaker transitions, and time calls"
                    + " by kind, in a Dropwizard MetricRegistry (names in docs/OBSERVABILITY.md)");

    public static final Option<String> METRICS_REGISTRY = new Option<>("resilient.metrics.registry",
            OptionType.matching("a name of letters, digits, '.', '_' or '-' (at most 64)", "[A-Za-z0-9._-]{1,64}"),
            "resilient-jdbc", "resilient-jdbc",
            "the SharedMetricRegistries name the metrics go to, unless the application gave its own registry"
                    + " (ResilientMetrics.useRegistry)");

    public static final Option<Boolean> METRICS_JMX = new Option<>("resilient.metrics.jmx", OptionType.bool(), false, "false",
            "also publish the metrics over JMX, domain dev.resilientjdbc");

    public static final Option<Boolean> METRICS_MICROMETER = new Option<>("resilient.metrics.micrometer", OptionType.bool(), false, "false",
            "also publish the metrics to Micrometer's global registry (Metrics.globalRegistry, which Spring Boot's registries"
                    + " join), unless the application handed its own to ResilientMicrometer.bindTo; needs Micrometer on the class path");

    public static final Option<Integer> HTTP_PORT = new Option<>("resilient.http.port", OptionType.integer(0, 65535), 0, "0",
            "serve /metrics (Prometheus text), /health (JSON) and / (a page that refreshes itself) on this port; 0 serves nothing");

    public static final Option<String> HTTP_BIND = new Option<>("resilient.http.bind",
            OptionType.matching("an IP address or host name to listen on", "[A-Za-z0-9.:\\-\\[\\]]{1,255}"),
            "127.0.0.1", "127.0.0.1", "address the HTTP endpoint listens on; loopback unless you open it on purpose");

    public static final Option<String> HTTP_TOKEN = new Option<>("resilient.http.token",
            OptionType.matching("16 to 256 printable ASCII characters, no spaces", "[!-~]{16,256}"),
            "", "(none)", "when set, every request to the HTTP endpoint must carry the header Authorization: Bearer <token>"
                    + " (401 otherwise); masked in every message and log line");

    public static final Option<Double> HEALTH_ERROR_RATE_WARN = new Option<>("resilient.health.errorRateWarn",
            OptionType.decimal(0, 1), 0.05, "0.05", "share of calls failing over the last minute that makes a target degraded; at most errorRateCritical");

    public static final Option<Double> HEALTH_ERROR_RATE_CRITICAL = new Option<>("resilient.health.errorRateCritical",
            OptionType.decimal(0, 1), 0.15, "0.15", "share of calls failing over the last minute that makes a target unhealthy");

    public static final Option<Duration> HEALTH_P99_WARN = new Option<>("resilient.health.p99Warn",
            OptionType.duration(Duration.ofMillis(1), Duration.ofHours(1)), Duration.ofSeconds(1), "1s",
            "p99 call latency that makes a target degraded; at most p99Critical");

    public static final Option<Duration> HEALTH_P99_CRITICAL = new Option<>("resilient.health.p99Critical",
            OptionType.duration(Duration.ofMillis(1), Duration.ofHours(1)), Duration.ofSeconds(5), "5s",
            "p99 call latency that makes a target unhealthy");

    public static final Option<Double> HEALTH_POOL_SATURATION_WARN = new Option<>("resilient.health.poolSaturationWarn",
            OptionType.decimal(0, 1), 0.8, "0.8", "share of the pool in use that makes a target degraded");

    public static final Option<Duration> HEALTH_PROBE_INTERVAL = new Option<>("resilient.health.probeInterval",
            OptionType.duration(Duration.ofMillis(100), Duration.ofHours(1)), Duration.ofSeconds(5), "5s",
            "the reachable check opens at most one new connection per target in this interval; in between it answers"
                    + " from the target's own successful calls or the last probe");

    public static final Option<Duration> LIVENESS_CHECK_AFTER = new Option<>("resilient.liveness.checkAfter",
            OptionType.offOrDuration(Duration.ofMillis(10), Duration.ofHours(1)), Duration.ofMillis(500), "500ms",
            "PostgreSQL: a call that has had no byte from its server for this long asks the host, on a connection of its own,"
                    + " whether it still answers (one protocol message, no login, again every checkAfter while the call waits):"
                    + " a busy server answers and the call waits on, so a long query is never cut; a silent one (frozen"
                    + " process or machine, blackholed path) has the connection closed and the call recovers like any lost"
                    + " connection (retried, replayed, its COMMIT settled) on a new connection or another host of the URL;"
                    + " TCP connects are bounded by checkAfter + probeTimeout; 0 turns it off");

    public static final Option<Duration> LIVENESS_PROBE_TIMEOUT = new Option<>("resilient.liveness.probeTimeout",
            OptionType.duration(Duration.ofMillis(10), Duration.ofMinutes(1)), Duration.ofSeconds(1), "1s",
            "how long the host has to answer that probe before it is judged silent; a silent host is noticed at most about"
                    + " checkAfter × 2 + probeTimeout after it went quiet (2 s with the defaults)");

    // A named class rather than ClassOverrides::parse: no method-reference bootstrap while options initialise.
    private static final class OverridesParser implements Function<String, ClassOverrides> {
        @Override
        public ClassOverrides apply(String text) {
            return ClassOverrides.parse(text);
        }
    }

    public static final OptionRegistry REGISTRY = new OptionRegistry(List.of(
            ENABLED, DIALECT, CLASSIFY_OVERRIDES,
            RETRY_STRATEGY, RETRY_MAX_ATTEMPTS, RETRY_BASE_DELAY, RETRY_MAX_DELAY, RETRY_MULTIPLIER, RETRY_JITTER,
            RETRY_MAX_DURATION, CONNECT_MAX_DURATION, CONNECT_MAX_DELAY, READ_ONLY_FALLBACK,
            BREAKER_ENABLED, BREAKER_FAILURE_THRESHOLD, BREAKER_OPEN_DURATION, BREAKER_SUCCESS_THRESHOLD,
            REPLAY_MAX_BYTES, REPLAY_FIRST_WAIT, AUTOCOMMIT_EXACTLY_ONCE, INDOUBT_EVIDENCE, INDOUBT_MARKER, INDOUBT_MARKER_TABLE, INDOUBT_FENCE_WAIT,
            SQLITE_SERIALIZE_TRANSACTIONS,
            SQLITE_BACKUP_DIR, SQLITE_BACKUP_INTERVAL, SQLITE_BACKUP_KEEP, SQLITE_BACKUP_COMPRESS, SQLITE_BACKUP_VERIFY,
            SQLITE_RECOVER,
            POOL, POOL_MAX_SIZE, POOL_MIN_IDLE, POOL_CONNECTION_TIMEOUT, POOL_IDLE_TIMEOUT, POOL_MAX_LIFETIME,
            POOL_VALIDATION_TIMEOUT, POOL_LEAK_DETECTION_THRESHOLD,
            METRICS_ENABLED, METRICS_REGISTRY, METRICS_JMX, METRICS_MICROMETER,
            HTTP_PORT, HTTP_BIND, HTTP_TOKEN, HEALTH_ERROR_RATE_WARN, HEALTH_ERROR_RATE_CRITICAL, HEALTH_P99_WARN, HEALTH_P99_CRITICAL,
            HEALTH_POOL_SATURATION_WARN, HEALTH_PROBE_INTERVAL, LIVENESS_CHECK_AFTER, LIVENESS_PROBE_TIMEOUT));
}
