package dev.resilientjdbc.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.control.pg.PgServer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A busy host (issue 28): several applications, each with its own pool, share one PostgreSQL server
 * on the same cores; every thread borrows a connection, runs a one-row UPDATE in a transaction,
 * commits and gives the connection back. Sides, interleaved round by round in one JVM against one
 * server: raw pgjdbc under the application's HikariCP, {@code jdbc:resilient:} with
 * {@code resilient.pool=true} through {@code DriverManager}, and the application's HikariCP over
 * {@code jdbc:resilient:}.
 *
 * <p>Per side and round it prints committed transactions, errors reaching the application (by
 * SQLState), CPU per committed transaction of this JVM and of the server's processes, and the
 * statements the server ran per transaction ({@code pg_stat_statements}). With {@code --restart S}
 * the server is restarted (fast) S seconds into each measurement and the time until every thread
 * commits again is printed; with {@code --jfr DIR} each measurement is recorded to DIR/side-round.jfr.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.resilientjdbc.bench.BusyHost
 * [--apps 4] [--pool 10] [--seconds 8] [--warmup 3] [--rounds 2] [--sides raw,dm,ds,hikari,rawmarker]
 * [--restart 0] [--jfr DIR] [--top 12] [--options resilient.x=y&...] [--alternate MS]} ({@code --options}: added to
 * both resilient sides' URLs; {@code --alternate}: all sides at once, taking turns in slices of MS milliseconds, see
 * {@link #alternate}; no restart, statements or JFR in that mode). {@code -DmarkerWith=" WITH (fillfactor=10)"}: a
 * storage clause for side rawmarker's table, to try what the marker table's storage changes; {@code -DmarkerCommit}
 * and {@code -DmarkerSetup}: another statement sent with that side's COMMIT, and the SQL it needs first.
 */
public final class BusyHost {
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.resilientjdbc");
    private static final int ROWS = 10_000;
    private static final String UPDATE = "UPDATE acct SET v = v + 1 WHERE id = ?";
    // Side "rawmarker": raw pgjdbc committing as our default COMMIT does (a marker row's UPDATE and COMMIT in one
    // exchange, one row per thread, same table shape), with none of our client code: the floor any driver that
    // writes such evidence per writing COMMIT could reach on this host.
    private static final String MARKER_RUN = "00000000-0000-0000-0000-00000000b05e";
    // -DmarkerCommit: another statement in its place (same two parameters: sequence, slot), to weigh other shapes of
    // evidence; -DmarkerSetup: SQL run once before, for the tables such a shape needs.
    private static final String MARKER_COMMIT = System.getProperty("markerCommit",
            "UPDATE bench_marker SET sequence = ?, at = clock_timestamp() WHERE run = '" + MARKER_RUN + "' AND slot = ?") + ";COMMIT";

    private static String extraOptions = "";

    private BusyHost() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = options(args);
        int apps = Integer.parseInt(a.getOrDefault("apps", "4"));
        int pool = Integer.parseInt(a.getOrDefault("pool", "10"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "8"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
        int restartAt = Integer.parseInt(a.getOrDefault("restart", "0"));
        int top = Integer.parseInt(a.getOrDefault("top", "12"));
        String[] sides = a.getOrDefault("sides", "raw,dm,hikari").split(",");
        extraOptions = a.getOrDefault("options", "");
        int alternateMs = Integer.parseInt(a.getOrDefault("alternate", "0"));
        Path jfr = a.containsKey("jfr") ? Path.of(a.get("jfr")) : null;
        QUIET.setLevel(java.util.logging.Level.WARNING);
        int open = (alternateMs > 0 ? sides.length : 1) * apps * pool + 10;
        try (PgServer pg = PgServer.builder().maxConnections(Math.max(100, open))
                .setting("shared_preload_libraries", "pg_stat_statements")
                .setting("pg_stat_statements.track", "all")
                .setting("pg_stat_statements.track_planning", "on")
                .build().start()) {
            String raw = pg.jdbcUrl() + "?user=postgres";
            try (Connection c = DriverManager.getConnection(raw); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                s.execute("CREATE TABLE acct (id int PRIMARY KEY, v bigint NOT NULL)");
                s.execute("INSERT INTO acct SELECT g, 0 FROM generate_series(1, " + ROWS + ") g");
                s.execute("CREATE TABLE bench_marker (run uuid NOT NULL, slot integer NOT NULL, sequence bigint NOT NULL,"
                        + " at timestamptz NOT NULL, applied bigint, PRIMARY KEY (run, slot))" + System.getProperty("markerWith", ""));
                s.execute("INSERT INTO bench_marker SELECT '" + MARKER_RUN + "', g, 0, now() FROM generate_series(0, "
                        + (sides.length * apps * pool) + ") g");
                if (System.getProperty("markerSetup") != null) {
                    s.execute(System.getProperty("markerSetup"));
                }
            }
            if (alternateMs > 0) {
                System.out.printf("BusyHost, alternating: %d applications x pool %d per side, sides %s taking turns in %d ms"
                        + " slices, %d s warm-up and %d s measured per side%n", apps, pool, String.join(",", sides),
                        alternateMs, warmup, seconds);
                alternate(pg, raw, sides, apps, pool, warmup, seconds, alternateMs);
                return;
            }
            System.out.printf("BusyHost: %d applications x pool %d (threads = pool), %d s warm-up, %d s measured, %d rounds%s%n",
                    apps, pool, warmup, seconds, rounds, restartAt > 0 ? ", fast restart at " + restartAt + " s" : "");
            Map<String, List<Result>> all = new TreeMap<>();
            for (int r = 1; r <= rounds; r++) {
                for (String side : sides) {
                    Result res = run(pg, raw, side.trim(), apps, pool, warmup, seconds, restartAt,
                            jfr == null ? null : jfr.resolve(side.trim() + "-" + r + ".jfr"), top);
                    all.computeIfAbsent(side.trim(), k -> new ArrayList<>()).add(res);
                    System.out.printf("round %d %-7s %s%n", r, side.trim(), res);
                    System.out.flush();
                }
                List<Result> raws = all.get("raw");
                if (raws != null && raws.size() == r) {
                    for (String side : sides) {
                        if (!side.trim().equals("raw")) {
                            Result x = all.get(side.trim()).get(r - 1);
                            System.out.printf("round %d %-7s throughput %.2fx raw, client CPU/tx %.2fx raw%n", r, side.trim(),
                                    (double) x.committed / raws.get(r - 1).committed,
                                    x.clientUsPerTx() / raws.get(r - 1).clientUsPerTx());
                        }
                    }
                }
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    /** How one application gets a connection. */
    private interface Borrow extends AutoCloseable {
        Connection get() throws SQLException;

        @Override
        void close();
    }

    private static Borrow app(String side, String raw, int app, int pool) {
        String url = raw + "&ApplicationName=app" + app;
        String resilient = url.replace("jdbc:", "jdbc:resilient:") + (extraOptions.isEmpty() ? "" : "&" + extraOptions);
        switch (side) {
            case "raw":
            case "rawmarker":
                return hikari(url, pool, app);
            case "hikari":
                return hikari(resilient, pool, app);
            case "dm": {
                String u = resilient + ourPool(pool);
                return ours(() -> DriverManager.getConnection(u));
            }
            case "ds": {
                // Our pool through ResilientDataSource: what the dm side does without DriverManager's own search of
                // every registered driver per getConnection.
                dev.resilientjdbc.ResilientDataSource ds = new dev.resilientjdbc.ResilientDataSource(resilient + ourPool(pool));
                return ours(ds::getConnection);
            }
            default:
                throw new IllegalArgumentException("unknown side '" + side + "' (raw, rawmarker, dm, ds, hikari)");
        }
    }

    private static String ourPool(int pool) {
        return "&resilient.pool=true&resilient.pool.maxSize=" + pool + "&resilient.pool.minIdle=" + pool;
    }

    private interface Source {
        Connection get() throws SQLException;
    }

    /** Connections from our pool; closing closes every target (and its pool). */
    private static Borrow ours(Source source) {
        return new Borrow() {
            @Override
            public Connection get() throws SQLException {
                return source.get();
            }

            @Override
            public void close() {
                ResilientDriver.targets().close();
            }
        };
    }

    private static Borrow hikari(String url, int pool, int app) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setMaximumPoolSize(pool);
        c.setMinimumIdle(pool);
        c.setPoolName("app" + app);
        HikariDataSource ds = new HikariDataSource(c);
        return new Borrow() {
            @Override
            public Connection get() throws SQLException {
                return ds.getConnection();
            }

            @Override
            public void close() {
                ds.close();
            }
        };
    }

    private static final class Worker implements Runnable {
        final Borrow borrow;
        final Run run;
        final int markerSlot; // -1: commit()
        final Gate gate; // null: always open
        volatile long firstAfterRestart;
        long sequence;

        Worker(Borrow borrow, Run run, int markerSlot, Gate gate) {
            this.borrow = borrow;
            this.run = run;
            this.markerSlot = markerSlot;
            this.gate = gate;
        }

        @Override
        public void run() {
            while (!run.stop) {
                if (gate == null) {
                    transaction();
                } else if (gate.enter(run)) {
                    try {
                        transaction();
                    } finally {
                        gate.leave();
                    }
                }
            }
        }

        private void transaction() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try (Connection c = borrow.get()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
                    ps.setInt(1, 1 + rnd.nextInt(ROWS));
                    ps.executeUpdate();
                }
                if (markerSlot < 0) {
                    c.commit();
                } else {
                    try (PreparedStatement m = c.prepareStatement(MARKER_COMMIT)) {
                        m.setLong(1, ++sequence);
                        m.setInt(2, markerSlot);
                        m.execute();
                    }
                }
                if (run.measuring) {
                    run.committed.increment();
                    long restarted = run.restartedAt;
                    if (restarted != 0 && firstAfterRestart == 0) {
                        firstAfterRestart = System.nanoTime();
                    }
                }
            } catch (SQLException e) {
                if (run.measuring) {
                    run.errors.computeIfAbsent(String.valueOf(e.getSQLState()), k -> new LongAdder()).increment();
                }
            }
        }
    }

    /**
     * With {@code --alternate}: one side's threads run at a time. A closed gate's threads wait without spinning;
     * {@link #drain} returns once every transaction that got in before {@link #close} has ended, so what is measured
     * between open and drain is that side's work alone.
     */
    static final class Gate {
        private boolean open;
        private int inFlight;

        synchronized void open() {
            open = true;
            notifyAll();
        }

        synchronized void close() {
            open = false;
        }

        /** Waits until open (false: stop or interrupted); counted in flight under the same lock close() takes. */
        synchronized boolean enter(Run run) {
            try {
                while (!open && !run.stop) {
                    wait(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (run.stop) {
                return false;
            }
            inFlight++;
            return true;
        }

        synchronized void leave() {
            if (--inFlight == 0) {
                notifyAll();
            }
        }

        synchronized void drain() throws InterruptedException {
            while (inFlight > 0) {
                wait(100);
            }
        }
    }

    /** One side of an alternating run: its applications, threads and what its own slices measured. */
    private static final class Side {
        final String name;
        final Run run = new Run();
        final Gate gate = new Gate();
        final List<Borrow> borrows = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final Result res = new Result();
        long activeNs;

        Side(String name) {
            this.name = name;
        }
    }

    /**
     * All sides' pools open at once, their threads taking turns in slices of {@code sliceMs} (forward, then
     * backward, so that no side always follows the same one): a host whose speed drifts between seconds (a shared
     * VM's does) moves every side alike, which one side after the other over whole measurements does not.
     */
    private static void alternate(PgServer pg, String raw, String[] names, int apps, int pool, int warmup, int seconds,
                                  int sliceMs) throws Exception {
        List<Side> sides = new ArrayList<>();
        try {
            int slot = 0;
            for (String n : names) {
                Side side = new Side(n.trim());
                sides.add(side);
                for (int i = 0; i < apps; i++) {
                    Borrow b = app(side.name, raw, i, pool);
                    side.borrows.add(b);
                    for (int t = 0; t < pool; t++) {
                        Worker w = new Worker(b, side.run, side.name.equals("rawmarker") ? slot++ : -1, side.gate);
                        Thread th = new Thread(w, "busy-" + side.name + "-app" + i + "-" + t);
                        th.setDaemon(true);
                        side.threads.add(th);
                    }
                }
            }
            sides.forEach(sd -> sd.threads.forEach(Thread::start));
            long postmaster = pg.postmasterPid();
            for (int phase = 0; phase < 2; phase++) {
                boolean measuring = phase == 1;
                sides.forEach(sd -> sd.run.measuring = measuring);
                int cycles = Math.max(1, (measuring ? seconds : warmup) * 1000 / sliceMs);
                for (int c = 0; c < cycles; c++) {
                    for (int k = 0; k < sides.size(); k++) {
                        Side sd = sides.get(c % 2 == 0 ? k : sides.size() - 1 - k);
                        long srv0 = serverCpu(postmaster);
                        long sys0 = processSysCpu();
                        long io0 = syscalls();
                        long alloc0 = allocated(sd.threads);
                        long cpu0 = processCpu();
                        long t0 = System.nanoTime();
                        sd.gate.open();
                        Thread.sleep(sliceMs);
                        sd.gate.close();
                        sd.gate.drain();
                        long t1 = System.nanoTime();
                        long cpu1 = processCpu();
                        if (measuring) {
                            sd.activeNs += t1 - t0;
                            sd.res.clientCpuNs += cpu1 - cpu0;
                            sd.res.allocatedBytes += allocated(sd.threads) - alloc0;
                            sd.res.syscalls += syscalls() - io0;
                            sd.res.clientSysNs += processSysCpu() - sys0;
                            sd.res.serverCpuNs += serverCpu(postmaster) - srv0;
                        }
                    }
                }
            }
            for (Side sd : sides) {
                sd.res.committed = sd.run.committed.sum();
                sd.res.seconds = sd.activeNs / 1e9;
                sd.run.errors.forEach((k, v) -> sd.res.errors.put(k, v.sum()));
                System.out.printf("%-9s %s%n", sd.name, sd.res);
            }
            Side base = sides.stream().filter(sd -> sd.name.equals("raw")).findFirst().orElse(null);
            if (base != null) {
                double rawRate = base.res.committed / base.res.seconds;
                double rawCpu = (base.res.clientCpuNs + base.res.serverCpuNs) / (double) base.res.committed;
                for (Side sd : sides) {
                    if (sd != base) {
                        System.out.printf("%-9s throughput %.2fx raw, client CPU/tx %.2fx raw, client+server CPU/tx %.2fx raw%n",
                                sd.name, sd.res.committed / sd.res.seconds / rawRate,
                                sd.res.clientUsPerTx() / base.res.clientUsPerTx(),
                                (sd.res.clientCpuNs + sd.res.serverCpuNs) / (double) sd.res.committed / rawCpu);
                    }
                }
            }
        } finally {
            for (Side sd : sides) {
                sd.run.stop = true;
                sd.gate.open();
            }
            for (Side sd : sides) {
                for (Thread t : sd.threads) {
                    t.join(10_000);
                }
                sd.borrows.forEach(Borrow::close);
            }
        }
    }

    private static final class Run {
        volatile boolean stop;
        volatile boolean measuring;
        volatile long restartedAt;
        final LongAdder committed = new LongAdder();
        final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    }

    static final class Result {
        long committed;
        double seconds;
        long clientCpuNs;
        long clientSysNs;
        long syscalls;
        long allocatedBytes;
        long gcMs = -1; // not measured (alternating runs)
        long serverCpuNs;
        long statements;
        // Every application transaction runs exactly one UPDATE: statements per transaction are counted against it,
        // since the statistics window is a little wider than the measured one on a busy host.
        long updates;
        long allBackMs = -1;
        boolean restarted;
        Map<String, Long> errors = new TreeMap<>();
        List<String> topStatements = new ArrayList<>();

        double clientUsPerTx() {
            return committed == 0 ? Double.NaN : clientCpuNs / 1e3 / committed;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(String.format(
                    "committed %,d (%.0f/s)  errors %s  CPU/tx: client %.1f us, server %.1f us",
                    committed, committed / seconds, errors, clientUsPerTx(),
                    committed == 0 ? Double.NaN : serverCpuNs / 1e3 / committed));
            if (updates > 0) {
                b.append(String.format("  statements/tx %.2f (per UPDATE)", (double) statements / updates));
            }
            if (committed > 0) {
                b.append(String.format("%n      client per tx: kernel %.1f us, syscalls %.2f, allocated %,d B%s",
                        clientSysNs / 1e3 / committed, (double) syscalls / committed, allocatedBytes / committed,
                        gcMs < 0 ? "" : "; GC " + gcMs + " ms in all"));
            }
            if (restarted) {
                b.append(String.format("  all threads back after restart: %s", allBackMs < 0 ? "never" : allBackMs + " ms"));
            }
            for (String s : topStatements) {
                b.append("\n      ").append(s);
            }
            return b.toString();
        }
    }

    private static Result run(PgServer pg, String raw, String side, int apps, int pool, int warmup, int seconds,
                              int restartAt, Path jfrFile, int top) throws Exception {
        Run run = new Run();
        List<Borrow> borrows = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        Result res = new Result();
        Connection monitor = restartAt > 0 ? null : DriverManager.getConnection(raw);
        try {
            for (int i = 0; i < apps; i++) {
                Borrow b = app(side, raw, i, pool);
                borrows.add(b);
                for (int t = 0; t < pool; t++) {
                    Worker w = new Worker(b, run, side.equals("rawmarker") ? workers.size() : -1, null);
                    workers.add(w);
                    Thread th = new Thread(w, "busy-" + side + "-app" + i + "-" + t);
                    th.setDaemon(true);
                    threads.add(th);
                }
            }
            threads.forEach(Thread::start);
            Thread.sleep(warmup * 1000L);
            jdk.jfr.Recording rec = null;
            if (jfrFile != null) {
                Files.createDirectories(jfrFile.getParent());
                rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                rec.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(1)); // threads mostly wait on sockets
                rec.setToDisk(true);
                rec.start();
            }
            long cpu0 = processCpu();
            long sys0 = processSysCpu();
            long io0 = syscalls();
            long gc0 = gcMillis();
            long alloc0 = allocated(threads);
            long srv0 = serverCpu(pg.postmasterPid());
            resetStatements(monitor);
            long t0 = System.nanoTime();
            run.measuring = true;
            if (restartAt > 0) {
                Thread.sleep(restartAt * 1000L);
                res.restarted = true;
                // Server CPU is not comparable across a restart (backends are new): measured to the restart only.
                res.serverCpuNs = serverCpu(pg.postmasterPid()) - srv0;
                pg.stopFast();
                pg.start();
                run.restartedAt = System.nanoTime();
                Thread.sleep((seconds - restartAt) * 1000L);
            } else {
                Thread.sleep(seconds * 1000L);
            }
            run.measuring = false;
            long t1 = System.nanoTime();
            long cpu1 = processCpu();
            res.clientSysNs = processSysCpu() - sys0;
            res.syscalls = syscalls() - io0;
            res.gcMs = gcMillis() - gc0;
            res.allocatedBytes = allocated(threads) - alloc0;
            if (restartAt <= 0) {
                readStatements(monitor, res, top); // at once: the threads keep running until they are stopped
                res.serverCpuNs = serverCpu(pg.postmasterPid()) - srv0;
            }
            if (rec != null) {
                rec.stop();
                rec.dump(jfrFile);
                rec.close();
            }
            res.committed = run.committed.sum();
            res.seconds = (t1 - t0) / 1e9;
            res.clientCpuNs = cpu1 - cpu0;
            run.errors.forEach((k, v) -> res.errors.put(k, v.sum()));
            if (restartAt > 0) {
                long last = 0;
                for (Worker w : workers) {
                    if (w.firstAfterRestart == 0) {
                        last = -1;
                        break;
                    }
                    last = Math.max(last, w.firstAfterRestart);
                }
                res.allBackMs = last < 0 ? -1 : (last - run.restartedAt) / 1_000_000;
            }
        } finally {
            run.stop = true;
            for (Thread t : threads) {
                t.join(10_000);
            }
            borrows.forEach(Borrow::close);
            if (monitor != null) {
                monitor.close();
            }
        }
        return res;
    }

    private static void resetStatements(Connection monitor) throws SQLException {
        if (monitor != null) {
            try (Statement s = monitor.createStatement()) {
                s.execute("SELECT pg_stat_statements_reset()");
            }
        }
    }

    /**
     * What the server ran since the reset, by statement. pgjdbc sends a plain {@code COMMIT} through the
     * extended protocol, which pg_stat_statements does not list; a COMMIT inside a statement text is listed.
     */
    private static void readStatements(Connection monitor, Result res, int top) throws SQLException {
        try (Statement s = monitor.createStatement();
             ResultSet rs = s.executeQuery("SELECT calls, query, mean_exec_time, mean_plan_time, plans FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC")) {
            int n = 0;
            while (rs.next()) {
                long calls = rs.getLong(1);
                res.statements += calls;
                if (rs.getString(2).startsWith("UPDATE acct")) {
                    res.updates = calls;
                }
                if (n++ < top) {
                    String q = rs.getString(2).replaceAll("\\s+", " ");
                    // Server time per call: executing, and planning where it planned (a generic plan cached: no planning).
                    res.topStatements.add(String.format("%10d  exec %5.1f us  plan %5.1f us x %d  %s", calls, rs.getDouble(3) * 1000,
                            rs.getDouble(4) * 1000, rs.getLong(5), q.length() > 90 ? q.substring(0, 90) + "..." : q));
                }
            }
        }
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Kernel time of this JVM (stime in /proc/self/stat): sockets, futexes, scheduling. */
    private static long processSysCpu() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[12]) * 10_000_000L;
    }

    /** Read and write system calls of this JVM so far (/proc/self/io). */
    private static long syscalls() throws IOException {
        long n = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("syscr:") || line.startsWith("syscw:")) {
                n += Long.parseLong(line.substring(6).trim());
            }
        }
        return n;
    }

    private static long gcMillis() {
        long ms = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    /** Bytes allocated so far by the application's threads (the pools' own threads are not counted). */
    private static long allocated(List<Thread> threads) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long n = 0;
        for (Thread t : threads) {
            long b = mx.getThreadAllocatedBytes(t.getId());
            n += Math.max(0, b);
        }
        return n;
    }

    /** utime+stime of the postmaster and its children (the backends live through a measurement: pools keep them). */
    private static long serverCpu(long postmaster) throws IOException {
        long ticks = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(name);
                    long ppid = Long.parseLong(f[1]);
                    if (pid == postmaster || ppid == postmaster) {
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        }
        return ticks * 10_000_000L; // USER_HZ = 100
    }
}
