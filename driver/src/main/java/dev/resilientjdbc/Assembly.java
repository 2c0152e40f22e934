package dev.resilientjdbc;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.classify.Classifiers;
import dev.resilientjdbc.classify.Dialect;
import dev.resilientjdbc.classify.FailureClassifier;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.health.TargetHealth;
import dev.resilientjdbc.metrics.MetricsTracker;
import dev.resilientjdbc.metrics.MicrometerHook;
import dev.resilientjdbc.metrics.TargetMeters;
import dev.resilientjdbc.metrics.ResilientMetrics;
import dev.resilientjdbc.pool.PoolSettings;
import dev.resilientjdbc.pool.Pools;
import dev.resilientjdbc.proxy.ProxyFactory;
import dev.resilientjdbc.dialect.InDoubt;
import dev.resilientjdbc.connection.LogicalConnection;
import dev.resilientjdbc.dialect.PostgresInDoubt;
import dev.resilientjdbc.transaction.TransactionGate;
import dev.resilientjdbc.retry.Retrier;
import dev.resilientjdbc.retry.RetrySettings;
import dev.resilientjdbc.target.Target;
import dev.resilientjdbc.target.TargetRegistry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Puts a resilient connection together: classifier, retrier and breaker of the target, pool,
 * metrics and health as configured, a logical connection over physical connections from a source,
 * and its proxy. Used by {@link ResilientDriver} and by the java agent; unlike the driver class it
 * registers nothing, so a relocated copy inside the agent stays out of DriverManager.
 */
public final class Assembly {
    private Assembly() {}

    /** Opens one physical connection the way the application would have, without us. */
    @FunctionalInterface
    public interface PhysicalSource extends dev.resilientjdbc.connection.PhysicalOpener {

        /** One for a write a standby refused: see {@link LogicalConnection.Opener#openForWrite()}. By default {@link #open()}. */
        default Connection openForWrite() throws SQLException {
            return open();
        }

        /** resilient.readOnlyFallback: one to a standby among the URL's hosts; null where the fallback does not apply. */
        default Connection openStandby() throws SQLException {
            return null;
        }

        /** resilient.readOnlyFallback: the URL's hosts (host:port) when the fallback applies to this source; else null. */
        default java.util.List<String> fallbackHosts() {
            return null;
        }
    }

    /** What resilient.readOnlyFallback connects with: writes to a primary, reads while none answers to a standby. */
    record FallbackUrls(String primaryUrl, Properties primaryInfo, String standbyUrl, Properties standbyInfo, java.util.List<String> hosts) {
    }

    private static final java.util.logging.Logger CONFIG_LOG = java.util.logging.Logger.getLogger("dev.resilientjdbc.config");

    /**
     * resilient.readOnlyFallback for {@code realUrl}: the URL and properties for a primary (pgjdbc's
     * {@code targetServerType=primary}) and for a standby ({@code preferSecondary}); null when the option is off, or,
     * with one WARNING, where it cannot apply: not PostgreSQL, one host only, a targetServerType that is not primary
     * or preferPrimary, or resilient.pool.
     */
    static FallbackUrls readOnlyFallback(ResilientConfig config, String realUrl, Properties info) {
        if (!config.get(ResilientOptions.READ_ONLY_FALLBACK)) {
            return null;
        }
        int hostsAt = realUrl.indexOf("//");
        int path = hostsAt < 0 ? -1 : realUrl.indexOf('/', hostsAt + 2);
        String why = null;
        String type = pgjdbcSetting(realUrl, info, "targetServerType");
        if (dialect(config, realUrl) != Dialect.POSTGRESQL || path < 0) {
            why = "it needs a PostgreSQL URL";
        } else if (!severalHosts(realUrl)) {
            why = "the URL names one host; list the members (jdbc:postgresql://h1:5432,h2:5432,h3:5432/db)";
        } else if (type != null && !java.util.Set.of("primary", "master", "preferprimary").contains(type.toLowerCase(java.util.Locale.ROOT))) {
            why = "targetServerType=" + type + " already lets reads go to a standby";
        } else if (config.get(ResilientOptions.POOL)) {
            why = "it is not supported with " + ResilientOptions.POOL.key() + "=true (use your own pool over the driver)";
        }
        if (why != null) {
            CONFIG_LOG.warning("resilient-jdbc: " + ResilientOptions.READ_ONLY_FALLBACK.key() + "=true is ignored for "
                    + UrlMasking.mask(realUrl) + ": " + why);
            return null;
        }
        java.util.List<String> hosts = new java.util.ArrayList<>();
        for (String h : realUrl.substring(hostsAt + 2, path).split(",")) {
            String host = h.trim();
            boolean bracketed = host.startsWith("[");
            int colon = host.lastIndexOf(':');
            hosts.add(colon < 0 || bracketed && colon < host.indexOf(']') ? host + ":5432" : host);
        }
        String bare = withoutParameter(realUrl, "targetServerType");
        Properties primary = new Properties();
        primary.putAll(info);
        primary.setProperty("targetServerType", "primary");
        Properties standby = new Properties();
        standby.putAll(info);
        standby.setProperty("targetServerType", "preferSecondary");
        return new FallbackUrls(bare, primary, bare, standby, hosts);
    }

    /** Whether a PostgreSQL URL names several hosts ({@code //h1,h2/db}): an HA cluster, whose failover takes longer. */
    static boolean severalHosts(String realUrl) {
        int hostsAt = realUrl.indexOf("//");
        if (hostsAt < 0) {
            return false;
        }
        int end = hostsAt + 2;
        while (end < realUrl.length() && realUrl.charAt(end) != '/' && realUrl.charAt(end) != '?') {
            end++;
        }
        return realUrl.substring(hostsAt + 2, end).indexOf(',') >= 0;
    }

    /** {@code url} without the query parameter {@code name} (pgjdbc reads the URL's over the properties). */
    static String withoutParameter(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        StringBuilder kept = new StringBuilder();
        for (String part : url.substring(q + 1).split("&")) {
            if (part.isEmpty() || part.startsWith(name + "=") || part.equals(name)) {
                continue;
            }
            kept.append(kept.length() == 0 ? "" : "&").append(part);
        }
        return kept.length() == 0 ? url.substring(0, q) : url.substring(0, q + 1) + kept;
    }

    /** Opens one physical connection with the real driver, to this URL with these connect properties. */
    @FunctionalInterface
    public interface RealConnect {
        Connection open(String url, Properties info) throws SQLException;
    }

    /**
     * How a target's physical connections are opened, for the URL driver and the agent alike: with the
     * application's properties plus our socket factory where liveness applies ({@link #withLiveness}); with
     * resilient.readOnlyFallback (where {@code fallbackAllowed}), writes to a primary and reads while none answers
     * to a standby ({@link #readOnlyFallback}); else on a multi-host URL a primary-preferring open for a write a
     * standby refused ({@link #preferringPrimary}).
     */
    public static PhysicalSource physicalSource(ResilientConfig config, String realUrl, Properties realInfo,
                                                java.sql.Driver real, boolean fallbackAllowed, RealConnect connect) {
        Properties physicalInfo = withLiveness(config, realUrl, realInfo, real);
        FallbackUrls fallback = fallbackAllowed ? readOnlyFallback(config, realUrl, physicalInfo) : null;
        if (fallback != null) {
            return new PhysicalSource() {
                @Override
                public Connection open() throws SQLException {
                    return connect.open(fallback.primaryUrl(), fallback.primaryInfo());
                }

                @Override
                public Connection openStandby() throws SQLException {
                    return connect.open(fallback.standbyUrl(), fallback.standbyInfo());
                }

                @Override
                public java.util.List<String> fallbackHosts() {
                    return fallback.hosts();
                }
            };
        }
        Properties writeInfo = preferringPrimary(config, realUrl, physicalInfo, real);
        if (writeInfo == null) {
            return () -> connect.open(realUrl, physicalInfo);
        }
        return new PhysicalSource() {
            @Override
            public Connection open() throws SQLException {
                return connect.open(realUrl, physicalInfo);
            }

            @Override
            public Connection openForWrite() throws SQLException {
                return connect.open(realUrl, writeInfo);
            }
        };
    }

    /**
     * {@code info} with pgjdbc's {@code targetServerType=preferPrimary}, for the connection that replaces one on
     * which a standby refused a write: when {@code realUrl} names several PostgreSQL hosts (an HA cluster, as
     * listed for pgjdbc) and chooses no target server type itself, pgjdbc would otherwise connect to the first
     * host that answers — the standby again. Null where it does not apply, or where this pgjdbc does not know
     * preferPrimary.
     */
    static Properties preferringPrimary(ResilientConfig config, String realUrl, Properties info, java.sql.Driver real) {
        int hosts = realUrl.indexOf("//");
        int path = hosts < 0 ? -1 : realUrl.indexOf('/', hosts + 2);
        if (dialect(config, realUrl) != Dialect.POSTGRESQL || path < 0 || realUrl.substring(hosts + 2, path).indexOf(',') < 0
                || pgjdbcSetting(realUrl, info, "targetServerType") != null) {
            return null;
        }
        try {
            Class<?> requirement = Class.forName("org.postgresql.hostchooser.HostRequirement", false, real.getClass().getClassLoader());
            if (java.util.Arrays.stream(requirement.getEnumConstants()).noneMatch(e -> "preferPrimary".equals(e.toString()))) {
                return null;
            }
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return null;
        }
        Properties p = new Properties();
        p.putAll(info);
        p.setProperty("targetServerType", "preferPrimary");
        return p;
    }

    /**
     * A resilient connection to {@code realUrl}: classifier, retrier and breaker of the target, pool,
     * metrics and health as configured, a logical connection over physical connections from
     * {@code physical}, and its proxy. The target and what it starts belong to {@code targets}.
     */
    public static Connection connection(TargetRegistry targets, ResilientConfig config, String realUrl, Properties realInfo,
                                        PhysicalSource physical) throws SQLException {
        return recipe(targets, config, realUrl, realInfo, physical).connect();
    }

    /**
     * Everything about connections to a target that does not change from one connection to the next,
     * worked out once: the driver keeps it per URL and properties, so a connect through a pool costs a
     * lookup and a borrow, not a configuration pass.
     */
    public static Recipe recipe(TargetRegistry targets, ResilientConfig config, String realUrl, Properties realInfo,
                                PhysicalSource physical) throws SQLException {
        return new Recipe(targets, config, realUrl, realInfo, physical);
    }

    /** How to open a resilient connection to one real URL with one set of properties and configuration. */
    public static final class Recipe {
        private final TargetRegistry targets;
        private final ResilientConfig config;
        private final String realUrl;
        private final PhysicalSource physical;
        private final RetrySettings settings;
        private final FailureClassifier classifier;
        private final String metricsName;
        private final String targetName;
        private final PoolSettings poolSettings;
        private final String poolKey;
        // PostgreSQL: the in-doubt support is the target's, one per marker table (resilient.indoubt.markerTable when
        // resilient.indoubt.marker is on, else "": no marker; "-" with resilient.indoubt.evidence=false) and fence wait.
        // Null for other databases: no evidence there.
        private final String inDoubtKey;
        private final String markerTable; // null: no marker (another dialect, or resilient.indoubt.marker=false)
        // resilient.indoubt.evidence: false gathers none (no marker, no transaction id).
        private final boolean evidence;
        private final long fenceWaitMillis;
        private final long replayMaxBytes;
        private final java.time.Duration replayFirstWait;
        private final boolean metricsEnabled;
        private final TargetHealth.HealthSettings health;
        private final int httpPort;
        private final String registryName;
        private final boolean jmx;
        private final boolean micrometerGlobal;
        private final boolean serializeSqlite;
        private final boolean exactlyOnceWrites;
        private final java.time.Duration gateWait;
        // SQLite: a busy_timeout above zero in the URL or properties (the application's own way to wait); null elsewhere.
        private final Boolean sqliteBusyTimeoutSet;
        // SQLite backups of the file (null when off), and the file.
        private final dev.resilientjdbc.sqlite.backup.BackupSettings backups;
        private final java.nio.file.Path sqliteFile;
        // Made once: the health checks' way to open a connection (a lambda per connect otherwise).
        private final TargetHealth.Probe probe;
        private final TargetHealth.Probe probeForWrite;
        // resilient.readOnlyFallback: the URL's hosts when it applies, else null.
        private final java.util.List<String> fallbackHosts;
        // The target and a retrier on its guard; replaced when the registry closed the target.
        private volatile Bound bound;

        private Recipe(TargetRegistry targets, ResilientConfig config, String realUrl, Properties realInfo, PhysicalSource physical)
                throws SQLException {
            this.targets = targets;
            this.config = config;
            this.realUrl = realUrl;
            this.physical = physical;
            Dialect d = dialect(config, realUrl);
            this.settings = RetrySettings.from(config, d == Dialect.POSTGRESQL && severalHosts(realUrl))
                    .withLoginTimeout(loginTimeout(d, realUrl, realInfo));
            this.classifier = Classifiers.forDialect(d, config.get(ResilientOptions.CLASSIFY_OVERRIDES),
                    d == Dialect.POSTGRESQL ? pgjdbcSetting(realUrl, realInfo, "localSocketAddress") : null);
            this.targetName = targetName(realUrl, realInfo);
            this.metricsName = ResilientMetrics.targetName(realUrl);
            this.metricsEnabled = config.get(ResilientOptions.METRICS_ENABLED);
            this.poolSettings = config.get(ResilientOptions.POOL) ? PoolSettings.from(config) : null;
            this.poolKey = poolSettings != null ? Pools.keyOf(realUrl, realInfo, poolSettings) : null;
            this.evidence = config.get(ResilientOptions.INDOUBT_EVIDENCE);
            if (!evidence) {
                refuseWithoutEvidence(config);
            }
            this.markerTable = d == Dialect.POSTGRESQL && evidence && config.get(ResilientOptions.INDOUBT_MARKER)
                    ? config.get(ResilientOptions.INDOUBT_MARKER_TABLE) : null;
            this.fenceWaitMillis = config.get(ResilientOptions.INDOUBT_FENCE_WAIT).toMillis();
            this.inDoubtKey = d != Dialect.POSTGRESQL ? null
                    : (!evidence ? "-" : markerTable == null ? "" : markerTable) + "|" + fenceWaitMillis;
            this.replayMaxBytes = config.get(ResilientOptions.REPLAY_MAX_BYTES);
            this.replayFirstWait = config.get(ResilientOptions.REPLAY_FIRST_WAIT);
            this.health = TargetHealth.HealthSettings.from(config);
            this.httpPort = config.get(ResilientOptions.HTTP_PORT);
            this.registryName = config.get(ResilientOptions.METRICS_REGISTRY);
            this.jmx = config.get(ResilientOptions.METRICS_JMX);
            this.micrometerGlobal = config.get(ResilientOptions.METRICS_MICROMETER);
            this.serializeSqlite = config.get(ResilientOptions.SQLITE_SERIALIZE_TRANSACTIONS);
            // Only where the database can say what became of a transaction; elsewhere it would cost and resolve nothing.
            this.exactlyOnceWrites = config.get(ResilientOptions.AUTOCOMMIT_EXACTLY_ONCE) && inDoubtKey != null;
            this.gateWait = config.get(ResilientOptions.RETRY_MAX_DURATION);
            this.sqliteBusyTimeoutSet = d == Dialect.SQLITE ? dev.resilientjdbc.dialect.SqliteBusyWait.declaredIn(realUrl, realInfo) : null;
            this.probe = () -> opened(nonNull(physical.open(), realUrl));
            this.probeForWrite = () -> opened(nonNull(physical.openForWrite(), realUrl));
            this.fallbackHosts = poolSettings == null ? physical.fallbackHosts() : null;
            this.backups = d == Dialect.SQLITE ? dev.resilientjdbc.sqlite.backup.BackupSettings.from(config) : null;
            this.sqliteFile = backups != null ? dev.resilientjdbc.sqlite.backup.SqliteFile.of(realUrl) : null;
            if (d == Dialect.SQLITE && backups == null && config.get(ResilientOptions.SQLITE_RECOVER) != dev.resilientjdbc.config.Recover.OFF) {
                throw new SQLException("resilient-jdbc: " + ResilientOptions.SQLITE_RECOVER.key() + "=restore needs "
                        + ResilientOptions.SQLITE_BACKUP_DIR.key() + " (where the backups to restore are)", "HY024");
            }
            if (backups != null && sqliteFile == null) {
                throw new SQLException("resilient-jdbc: " + ResilientOptions.SQLITE_BACKUP_DIR.key() + " needs an SQLite"
                        + " database file; " + UrlMasking.mask(realUrl) + " names none (in memory)", "HY024");
            }
        }

        /**
         * resilient.indoubt.evidence=false with an option that only means something with evidence, set by the user: an
         * error naming both, never one of them silently dropped.
         */
        private static void refuseWithoutEvidence(ResilientConfig config) throws SQLException {
            java.util.List<String> set = new java.util.ArrayList<>();
            for (dev.resilientjdbc.config.Option<?> o : java.util.List.of(ResilientOptions.INDOUBT_MARKER,
                    ResilientOptions.INDOUBT_MARKER_TABLE, ResilientOptions.INDOUBT_FENCE_WAIT)) {
                if (config.sourceOf(o) != dev.resilientjdbc.config.OptionSource.DEFAULT) {
                    set.add(o.key() + " (from " + config.sourceOf(o).description() + ")");
                }
            }
            if (config.get(ResilientOptions.AUTOCOMMIT_EXACTLY_ONCE)) {
                set.add(ResilientOptions.AUTOCOMMIT_EXACTLY_ONCE.key() + "=true (from "
                        + config.sourceOf(ResilientOptions.AUTOCOMMIT_EXACTLY_ONCE).description() + ")");
            }
            if (!set.isEmpty()) {
                throw new SQLException("resilient-jdbc: " + ResilientOptions.INDOUBT_EVIDENCE.key() + "=false (from "
                        + config.sourceOf(ResilientOptions.INDOUBT_EVIDENCE).description() + ") gathers no evidence of a"
                        + " COMMIT's outcome, which " + String.join(", ", set) + " needs; remove one or the other", "HY024");
            }
        }

        /** The target and its retrier; looked up again once the registry closed the one we had. */
        private Bound bound() {
            Bound b = bound;
            if (b == null || b.target.isClosed()) {
                Target t = targets.target(targetName, settings, metricsName);
                Retrier r = new Retrier(settings, classifier, t.guard());
                dev.resilientjdbc.retry.TargetGuard guard = t.guard();
                String name = targetName;
                InDoubt inDoubt = inDoubtKey == null ? InDoubt.NONE
                        : t.inDoubt(inDoubtKey, key -> new PostgresInDoubt(markerTable, fenceWaitMillis, name, evidence));
                b = new Bound(t, r, inDoubt, () -> r.connectForPool(probe::open), new LogicalConnection.Opener() {
                    @Override
                    public Connection open() throws SQLException {
                        return r.connect(probe::open);
                    }

                    @Override
                    public Connection openForWrite() throws SQLException {
                        return r.connect(probeForWrite::open);
                    }

                    @Override
                    public Connection openPrimaryOnce() throws SQLException {
                        dev.failsafe.CircuitBreaker<Object> breaker = guard.breaker();
                        if (breaker != null && breaker.isOpen()) {
                            return null; // the primary is known down: not asked again before the breaker lets a probe through
                        }
                        return r.connectOnce(probe::open);
                    }

                    @Override
                    public Connection openStandby() throws SQLException {
                        return r.connectOnce(() -> {
                            Connection s = physical.openStandby();
                            return s == null ? null : opened(s);
                        });
                    }
                }, fallbackHosts != null ? guard.fallback(fallbackHosts) : null);
                bound = b; // before anything can open through it: opened() notes each connection with b's dialect
                if (b.fallback != null) {
                    Bound made = b;
                    b.fallback.probe(() -> made.direct.openPrimaryOnce());
                }
            }
            return b;
        }

        /** Every physical connection of the target comes through here once, as it is opened: its dialect notes it. */
        private Connection opened(Connection c) {
            Bound b = bound;
            if (b != null) {
                b.inDoubt.opened(c);
            }
            return c;
        }

        /** A new resilient connection. What the target starts (metrics, pool, health) is made once and then looked up. */
        public Connection connect() throws SQLException {
            Bound b = bound();
            Target target = b.target;
            Retrier retrier = b.retrier;
            MetricRegistry metrics = null;
            MetricsTracker tracker = null;
            // The plain case (no pool, backups, JMX or HTTP endpoint needing them first): a target's first connect makes
            // its metrics and health checks aside while it opens the connection, and waits for them before returning.
            Target.Start aside = poolKey == null && backups == null && !jmx && httpPort <= 0 && b.fallback == null && target.firstStart()
                    ? target.startAside(metricsEnabled ? registryName : null, probe, health) : null;
            if (metricsEnabled && aside == null) {
                tracker = target.boundMetrics();
                // The registry is looked up (a map lookup by name) only where something is still to be made in it;
                // a borrow from a running pool makes nothing.
                if (tracker == null || jmx || backups != null || poolKey != null && !target.hasPool(poolKey)) {
                    metrics = ResilientMetrics.registry(registryName);
                    tracker = target.metrics(metrics);
                    if (jmx) {
                        targets.startJmx(metrics);
                    }
                }
            }
            TargetMeters meters = MicrometerHook.forConnect(micrometerGlobal);
            if (meters != null) {
                target.meters(meters);
            }
            if (backups != null) {
                // Before anything of ours opens the file (the pool, the first connection): the recovery on open runs first.
                MetricRegistry into = metrics;
                target.attachOnce("sqlite-backup", () -> dev.resilientjdbc.sqlite.backup.SqliteSafety.attach(sqliteFile, backups,
                        into, target.name()));
            }
            HikariDataSource pool = poolKey != null ? target.pool(poolKey, b.poolOpener, poolSettings, targetName, metrics) : null;
            LogicalConnection.Opener opener = pool != null ? b.pooled(pool) : b.direct;
            if (aside == null) {
                target.watch(probe, pool, health);
            }
            if (httpPort > 0) {
                targets.startHttp(config.get(ResilientOptions.HTTP_BIND), httpPort, config.get(ResilientOptions.HTTP_TOKEN),
                        tracker != null ? tracker.registry() : ResilientMetrics.registry(registryName));
            }
            dev.resilientjdbc.retry.FallbackState fallback = opener == b.direct ? b.fallback : null;
            LogicalConnection.Opened firstForRead = fallback != null ? LogicalConnection.openForRead(opener, fallback, b.inDoubt, retrier) : null;
            Connection first;
            if (aside == null) {
                first = firstForRead != null ? firstForRead.connection() : opener.open();
            } else {
                first = openThenJoin(aside, opener);
            }
            if (fallback != null && firstForRead == null) {
                fallback.primaryReached();
            }
            b.inDoubt.prepare(first); // the marker table, once per target; never fails the connect
            LogicalConnection logical = new LogicalConnection(first, retrier, opener, b.inDoubt, new LogicalConnection.Setup(
                    replayMaxBytes, exactlyOnceWrites, replayFirstWait,
                    serializeSqlite ? TransactionGate.forSqlite(realUrl, gateWait) : null,
                    sqliteBusyTimeoutSet != null ? new dev.resilientjdbc.dialect.SqliteBusyWait(sqliteBusyTimeoutSet) : null,
                    fallback, fallback != null && firstForRead != null && firstForRead.standby()));
            logical.onRelease(targets.connectionOpened(target));
            return ProxyFactory.connection(logical);
        }

        // The first connection of a target whose metrics and health are made aside: both exist when this returns or throws.
        private static Connection openThenJoin(Target.Start aside, LogicalConnection.Opener opener) throws SQLException {
            Connection first;
            try {
                first = opener.open();
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    aside.join();
                } catch (SQLException | RuntimeException | Error made) {
                    e.addSuppressed(made);
                }
                throw e;
            }
            try {
                aside.join();
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    first.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return first;
        }

        /** A target and what connects to it, made once per target rather than once per connect. */
        private static final class Bound {
            final Target target;
            final Retrier retrier;
            // The target's in-doubt support (the commit marker table's state); it prepares itself once per target.
            final InDoubt inDoubt;
            // How the target's pool opens its physical connections, and how an unpooled connection opens one.
            final dev.resilientjdbc.connection.PhysicalOpener poolOpener;
            final LogicalConnection.Opener direct;
            // resilient.readOnlyFallback of the target; null when off.
            final dev.resilientjdbc.retry.FallbackState fallback;
            // Borrows from the target's pool; a target keeps one pool per key until it closes (then a new Bound is made).
            private volatile PooledOpener pooled;

            Bound(Target target, Retrier retrier, InDoubt inDoubt, dev.resilientjdbc.connection.PhysicalOpener poolOpener,
                  LogicalConnection.Opener direct, dev.resilientjdbc.retry.FallbackState fallback) {
                this.fallback = fallback;
                this.inDoubt = inDoubt;
                this.target = target;
                this.retrier = retrier;
                this.poolOpener = poolOpener;
                this.direct = direct;
            }

            LogicalConnection.Opener pooled(HikariDataSource pool) {
                PooledOpener p = pooled;
                if (p == null || p.pool != pool) {
                    p = new PooledOpener(pool, retrier);
                    pooled = p;
                }
                return p;
            }
        }
    }

    /**
     * The application's login timeout for this target: pgjdbc's {@code loginTimeout} property (seconds,
     * from the properties or the URL), else {@code DriverManager.getLoginTimeout()}; null when none is set.
     */
    static java.time.Duration loginTimeout(Dialect d, String realUrl, Properties realInfo) {
        String v = d == Dialect.POSTGRESQL ? pgjdbcSetting(realUrl, realInfo, "loginTimeout") : null;
        if (v != null) {
            try {
                double seconds = Double.parseDouble(v.trim());
                // pgjdbc's own reading of a bad value is "no timeout"; so is ours (it reports the value itself).
                return seconds > 0 && seconds < 1e9 ? java.time.Duration.ofMillis((long) (seconds * 1000)) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        int s = java.sql.DriverManager.getLoginTimeout();
        return s > 0 ? java.time.Duration.ofSeconds(s) : null;
    }

    /**
     * The properties the real driver gets for a physical connection: {@code realInfo}, plus pgjdbc's
     * {@code socketFactory} set to {@link dev.resilientjdbc.liveness.WatchedSocketFactory} when liveness is on,
     * the target is PostgreSQL, the application chose no socket factory of its own and pgjdbc can load ours.
     */
    static Properties withLiveness(ResilientConfig config, String realUrl, Properties realInfo, java.sql.Driver real) {
        java.time.Duration after = config.get(ResilientOptions.LIVENESS_CHECK_AFTER);
        if (after.isZero() || dialect(config, realUrl) != Dialect.POSTGRESQL
                || pgjdbcSetting(realUrl, realInfo, "socketFactory") != null) {
            return realInfo;
        }
        String factory = dev.resilientjdbc.liveness.WatchedSocketFactory.class.getName();
        try {
            // pgjdbc makes the factory by name from its own class loader: it must find this very class there.
            if (Class.forName(factory, false, real.getClass().getClassLoader()) != dev.resilientjdbc.liveness.WatchedSocketFactory.class) {
                return realInfo;
            }
        } catch (ClassNotFoundException | LinkageError notVisible) {
            java.util.logging.Logger.getLogger("dev.resilientjdbc.liveness").warning("resilient-jdbc: the PostgreSQL driver's class"
                    + " loader cannot see " + factory + ": a host that stops answering is not noticed (resilient.liveness.*)");
            return realInfo;
        }
        Properties p = new Properties();
        p.putAll(realInfo);
        p.setProperty("socketFactory", factory);
        p.setProperty("socketFactoryArg", new dev.resilientjdbc.liveness.LivenessSettings((int) Math.min(Integer.MAX_VALUE, after.toMillis()),
                (int) config.get(ResilientOptions.LIVENESS_PROBE_TIMEOUT).toMillis(), socketTimeoutMillis(realUrl, realInfo)).asArgument());
        return p;
    }

    /** pgjdbc's socketTimeout (whole seconds) in milliseconds, as pgjdbc reads it; 0 when unset or unreadable. */
    private static int socketTimeoutMillis(String realUrl, Properties realInfo) {
        String v = pgjdbcSetting(realUrl, realInfo, "socketTimeout");
        try {
            long seconds = v == null ? 0 : Long.parseLong(v.trim());
            return seconds > 0 && seconds < Integer.MAX_VALUE / 1000 ? (int) seconds * 1000 : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A pgjdbc setting as pgjdbc reads it: the URL's parameter (decoded) over the connect properties; null when unset. */
    static String pgjdbcSetting(String realUrl, Properties realInfo, String name) {
        String v = null;
        int q = realUrl.indexOf('?');
        if (q >= 0) {
            for (String part : realUrl.substring(q + 1).split("&")) {
                if (part.startsWith(name + "=")) {
                    try {
                        v = java.net.URLDecoder.decode(part.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException bad) {
                        v = part.substring(name.length() + 1);
                    }
                }
            }
        }
        return v != null || realInfo == null ? v : realInfo.getProperty(name);
    }

    private static Connection nonNull(Connection c, String realUrl) throws SQLException {
        if (c == null) {
            throw new SQLException("resilient-jdbc: the real driver accepted " + UrlMasking.mask(realUrl)
                    + " but returned no connection", "08001");
        }
        return c;
    }

    /** Physical connections borrowed from the pool; dead ones are evicted from it, never handed out again. */
    private static final class PooledOpener implements LogicalConnection.Opener {
        final HikariDataSource pool;
        private final Retrier retrier;
        private final Retrier.SqlCall<Connection> borrow;

        PooledOpener(HikariDataSource pool, Retrier retrier) {
            this.pool = pool;
            this.retrier = retrier;
            this.borrow = pool::getConnection;
        }

        @Override
        public Connection open() throws SQLException {
            return retrier.borrow(borrow);
        }

        @Override
        public void discard(Connection dead) {
            pool.evictConnection(dead);
        }
    }

    private static Dialect dialect(ResilientConfig config, String realUrl) {
        switch (config.get(ResilientOptions.DIALECT)) {
            case POSTGRESQL: return Dialect.POSTGRESQL;
            case SQLITE: return Dialect.SQLITE;
            case GENERIC: return Dialect.GENERIC;
            default: return Dialect.fromRealUrl(realUrl);
        }
    }

    /** How logs name a target: the real URL without its query (where secrets live) and the user. */
    static String targetName(String realUrl, Properties realInfo) {
        int q = realUrl.indexOf('?');
        String base = UrlMasking.mask(q < 0 ? realUrl : realUrl.substring(0, q));
        String user = realInfo.getProperty("user");
        return user == null ? base : base + " as " + user;
    }
}
