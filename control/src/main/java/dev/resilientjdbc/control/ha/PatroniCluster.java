package dev.resilientjdbc.control.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real 3-member Patroni cluster on loopback for the tests and the demo's {@code --ha} (issue 24): Debian's Patroni and PostgreSQL 15,
 * one local etcd 3.4 as the store (steadier than Debian's pysyncobj), optionally HAProxy in front routing
 * to the leader through Patroni's REST {@code OPTIONS /primary} check. Everything runs as uid 65534
 * through setpriv with a clean environment when we are root (Patroni and PostgreSQL refuse root), in a
 * directory of its own under /tmp. Timings ttl/loop_wait/retry_timeout 10/2/4: a new leader about 10 s
 * after the old one is killed.
 *
 * <p>Controls: {@link #killLeader()} (kill -9 of Patroni, the postmaster and its backends, as a machine
 * death), {@link #switchover()} ({@code patronictl switchover}), {@link #freeze(Member)} (SIGSTOP of
 * Patroni and PostgreSQL: sockets stay open). {@link #heal()} brings every member back. {@link #close()}
 * stops every process it started and checks none is left.
 */
public final class PatroniCluster implements AutoCloseable {
    public static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final List<Path> NEEDED = List.of(Path.of("/usr/bin/patroni"), Path.of("/usr/bin/patronictl"),
            Path.of("/usr/bin/etcd"), Path.of("/usr/sbin/haproxy"), PG_BIN.resolve("postgres"), PG_BIN.resolve("pg_rewind"));
    private static final int NOBODY = 65534;
    public static final String SCOPE = "rjdbc";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    /** One Patroni member: its PostgreSQL port, its REST port, its directory, its Patroni process. */
    public final class Member {
        public final String name;
        public final int pgPort;
        public final int restPort;
        public final Path dir;
        volatile Process patroni;
        volatile boolean frozen;

        Member(String name, int pgPort, int restPort, Path dir) {
            this.name = name;
            this.pgPort = pgPort;
            this.restPort = restPort;
            this.dir = dir;
        }

        /** The HTTP status of Patroni's REST endpoint {@code path} ({@code OPTIONS}, as HAProxy asks), 0 when it does not answer. */
        public int status(String path) {
            try {
                HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMillis(800)).build();
                return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        public boolean alive() {
            Process p = patroni;
            return p != null && p.isAlive();
        }

        public Path config() {
            return dir.resolve("patroni.yml");
        }

        public Path log() {
            return dir.resolve("patroni.log");
        }

        /**
         * Patroni, the postmaster and its backends. Patroni detaches the postmaster (its parent is init, so that
         * PostgreSQL outlives a Patroni crash): it is found through its postmaster.pid.
         */
        public List<ProcessHandle> processes() {
            List<ProcessHandle> all = new ArrayList<>();
            Process p = patroni;
            if (p != null && p.isAlive()) {
                all.add(p.toHandle());
                p.descendants().forEach(all::add);
            }
            postmasterOf(this).ifPresent(h -> {
                all.add(h);
                h.descendants().forEach(all::add);
            });
            return all.stream().distinct().toList();
        }

        public String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + pgPort + "/" + database;
        }

        @Override
        public String toString() {
            return name + "(pg " + pgPort + ", rest " + restPort + ")";
        }
    }

    private final Path dir;
    private volatile boolean synchronous;
    private final List<Member> members = new ArrayList<>();
    private final int etcdPort;
    private final int etcdPeerPort;
    private Process etcd;
    private Process haproxy;
    private int haproxyPort;

    private PatroniCluster(Path dir, boolean synchronous) throws IOException {
        this.dir = dir;
        this.synchronous = synchronous;
        this.etcdPort = freePort();
        this.etcdPeerPort = freePort();
    }

    /** Null when everything the cluster needs is installed; else what is missing. */
    public static String missing() {
        List<String> absent = NEEDED.stream().filter(p -> !Files.isExecutable(p)).map(Path::toString).toList();
        return absent.isEmpty() ? null : String.join(", ", absent);
    }

    /**
     * Starts etcd, {@code size} Patroni members (the first bootstraps, the others are cloned from it) and,
     * when asked, HAProxy; returns once there is a leader and every member streams (and, in synchronous
     * mode, a synchronous standby is chosen).
     */
    public static PatroniCluster start(int size, boolean synchronous, boolean withHaproxy) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "patroni-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PatroniCluster c = new PatroniCluster(dir, synchronous);
        try {
            c.own(dir);
            c.startEtcd();
            for (int i = 1; i <= size; i++) {
                Path d = dir.resolve("m" + i);
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                c.own(d);
                Member m = c.new Member("m" + i, freePort(), freePort(), d);
                c.members.add(m);
                c.writeConfig(m);
            }
            c.startPatroni(c.members.get(0));
            c.awaitLeader(Duration.ofSeconds(60));
            for (Member m : c.members.subList(1, size)) {
                c.startPatroni(m);
            }
            if (withHaproxy) {
                c.startHaproxy();
            }
            c.awaitHealthy(Duration.ofSeconds(90));
            return c;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            String logs = c.logs();
            c.close();
            throw new IllegalStateException("the Patroni cluster did not start: " + e + "\n" + logs, e);
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public boolean synchronous() {
        return synchronous;
    }

    /** {@code jdbc:postgresql://h1,h2,h3/db?targetServerType=primary}: what pgjdbc users point at a Patroni cluster. */
    public String multiHostUrl(String database) {
        return "jdbc:postgresql://" + members.stream().map(m -> "127.0.0.1:" + m.pgPort).collect(Collectors.joining(","))
                + "/" + database + "?targetServerType=primary";
    }

    /** The single HAProxy address that always leads to the leader. */
    public String haproxyUrl(String database) {
        if (haproxy == null) {
            throw new IllegalStateException("started without HAProxy");
        }
        return "jdbc:postgresql://127.0.0.1:" + haproxyPort + "/" + database;
    }

    /** The member Patroni's REST API reports as the running primary, if any answers so right now. */
    public Optional<Member> leader() {
        return members.stream().filter(m -> !m.frozen && m.alive() && m.status("/primary") == 200).findFirst();
    }

    public Member awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Member> l = leader();
            if (l.isPresent()) {
                return l.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader within " + timeout + "\n" + logs());
            }
            Thread.sleep(100);
        }
    }

    /** A leader other than {@code old}, waited for. */
    public Member awaitNewLeader(Member old, Duration timeout) throws InterruptedException {
        await(timeout, "a new leader other than " + old, () -> leader().filter(l -> l != old).isPresent());
        return leader().orElseThrow();
    }

    /** Every member runs and answers /health, there is one leader and the others replicate; in synchronous mode one is the sync standby. */
    public void awaitHealthy(Duration timeout) throws InterruptedException {
        await(timeout, "a healthy cluster", () -> {
            if (leader().isEmpty()) {
                return false;
            }
            for (Member m : members) {
                if (!m.alive() || m.frozen || m.status("/health") != 200) {
                    return false;
                }
            }
            long replicas = members.stream().filter(m -> m.status("/replica") == 200).count();
            if (replicas != members.size() - 1) {
                return false;
            }
            return !synchronous || members.stream().anyMatch(m -> m.status("/sync") == 200);
        });
        if (haproxy != null) {
            await(timeout, "HAProxy to route to the leader", () -> {
                try (Connection c = DriverManager.getConnection(haproxyUrl("postgres") + "?user=postgres&connectTimeout=2");
                     Statement s = c.createStatement(); var rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                    return rs.next() && !rs.getBoolean(1);
                } catch (SQLException e) {
                    return false;
                }
            });
        }
    }

    /** The synchronous standby, if one is chosen. */
    public Optional<Member> syncStandby() {
        return members.stream().filter(m -> !m.frozen && m.alive() && m.status("/sync") == 200).findFirst();
    }

    /**
     * A machine death of the leader: SIGSTOP to Patroni and all its processes (so none forks or restarts
     * another), then SIGKILL to them all. Returns the member that was leader.
     */
    public Member killLeader() throws InterruptedException {
        Member l = awaitLeader(Duration.ofSeconds(10));
        kill(l);
        return l;
    }

    public void kill(Member m) throws InterruptedException {
        List<ProcessHandle> all = m.processes();
        signal("STOP", all);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }
        if (m.patroni != null) {
            m.patroni.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGSTOP to Patroni and every PostgreSQL process of {@code m}: a frozen host; sockets stay open. */
    public void freeze(Member m) {
        m.frozen = true;
        signal("STOP", m.processes());
    }

    /** SIGCONT to everything {@link #freeze(Member)} stopped. */
    public void thaw(Member m) {
        signal("CONT", m.processes());
        m.frozen = false;
    }

    /**
     * SIGSTOP to etcd: the store stops answering. Patroni's leader cannot renew its lock and demotes itself (Patroni
     * without failsafe_mode), no replica can take over: no member is primary until {@link #thawStore()}.
     */
    public void freezeStore() {
        signal("STOP", List.of(etcd.toHandle()));
    }

    /** SIGCONT to etcd: Patroni elects a leader again. */
    public void thawStore() {
        signal("CONT", List.of(etcd.toHandle()));
    }

    /** {@code patronictl switchover} from the leader to {@code candidate} (any replica, or the sync standby, when null). */
    public String switchover(Member leader, Member candidate) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/patronictl", "-c", leader.config().toString(), "switchover", SCOPE,
                "--leader", leader.name, "--force"));
        if (candidate != null) {
            command.addAll(List.of("--candidate", candidate.name));
        }
        return run(command, Duration.ofSeconds(60));
    }

    /**
     * Switches Patroni's {@code synchronous_mode} in the cluster's dynamic configuration (no restart) and waits
     * until the members report it: a synchronous standby chosen, or none left.
     */
    public void synchronousMode(boolean on) throws IOException, InterruptedException {
        Member l = awaitLeader(Duration.ofSeconds(10));
        run(List.of("/usr/bin/patronictl", "-c", l.config().toString(), "edit-config", SCOPE, "--force",
                "--set", "synchronous_mode=" + on), Duration.ofSeconds(30));
        synchronous = on;
        await(Duration.ofSeconds(30), "synchronous_mode " + on + " in effect",
                () -> on == members.stream().anyMatch(m -> !m.frozen && m.alive() && m.status("/sync") == 200));
    }

    /**
     * Sets Patroni's ttl, loop_wait and retry_timeout (seconds) in the dynamic configuration, as
     * {@code patronictl edit-config} does: 30/10/10 are Patroni's defaults, 10/2/4 what the cluster starts with.
     */
    public void timings(int ttl, int loopWait, int retryTimeout) throws IOException, InterruptedException {
        Member l = awaitLeader(Duration.ofSeconds(10));
        run(List.of("/usr/bin/patronictl", "-c", l.config().toString(), "edit-config", SCOPE, "--force",
                "--set", "ttl=" + ttl, "--set", "loop_wait=" + loopWait, "--set", "retry_timeout=" + retryTimeout),
                Duration.ofSeconds(30));
    }

    /** {@code patronictl list}, for the test log. */
    public String list() {
        try {
            return run(List.of("/usr/bin/patronictl", "-c", members.get(0).config().toString(), "list", SCOPE), Duration.ofSeconds(20));
        } catch (IOException | RuntimeException e) {
            return "(patronictl list: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Thaws frozen members, restarts dead ones (the old leader rejoins through pg_rewind), and waits for a healthy cluster. */
    public void heal() throws IOException, InterruptedException {
        for (Member m : members) {
            if (m.frozen) {
                thaw(m);
            }
            if (!m.alive()) {
                startPatroni(m);
            }
        }
        awaitHealthy(Duration.ofSeconds(90));
    }

    /** Creates {@code database} on the leader if missing. */
    public void createDatabase(String database) throws SQLException, InterruptedException {
        Member l = awaitLeader(Duration.ofSeconds(30));
        try (Connection c = DriverManager.getConnection(l.jdbcUrl("postgres") + "?user=postgres"); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + database);
            }
        }
    }

    /**
     * Waits until {@code database} accepts connections on every running member: a replica replays {@code CREATE DATABASE}
     * a moment after the leader, and a connect that lands on one before that answers 3D000 (pgjdbc does not try the next
     * host of a multi-host URL then).
     */
    public void awaitDatabaseEverywhere(String database, Duration timeout) throws InterruptedException {
        await(timeout, "database " + database + " on every member", () -> {
            for (Member m : members) {
                if (!m.alive() || m.frozen) {
                    continue;
                }
                try (Connection c = DriverManager.getConnection(m.jdbcUrl(database) + "?user=postgres&connectTimeout=2")) {
                    // there
                } catch (SQLException e) {
                    return false;
                }
            }
            return true;
        });
    }

    public String logs() {
        StringBuilder b = new StringBuilder();
        for (Member m : members) {
            b.append("--- ").append(m).append(" log tail:\n").append(tail(m.log(), 2500)).append('\n');
        }
        b.append("--- etcd log tail:\n").append(tail(dir.resolve("etcd.log"), 1000)).append('\n');
        if (haproxy != null) {
            b.append("--- haproxy log tail:\n").append(tail(dir.resolve("haproxy.log"), 1000)).append('\n');
        }
        return b.toString();
    }

    /**
     * Stops HAProxy, every member (SIGTERM to Patroni, which stops its PostgreSQL; then SIGKILL to whatever
     * is left) and etcd, deletes the directory, and fails if any process it started is still there.
     */
    @Override
    public void close() {
        List<ProcessHandle> started = new ArrayList<>();
        for (Member m : members) {
            if (m.frozen) {
                thaw(m);
            }
            started.addAll(m.processes());
        }
        if (haproxy != null) {
            started.add(haproxy.toHandle());
        }
        if (etcd != null) {
            signal("CONT", List.of(etcd.toHandle())); // thawed first (freezeStore), so that Patroni can stop cleanly
            started.add(etcd.toHandle());
        }
        for (Member m : members) {
            if (m.alive()) {
                m.patroni.destroy();
            }
        }
        for (Member m : members) {
            try {
                if (m.patroni != null && !m.patroni.waitFor(15, TimeUnit.SECONDS)) {
                    m.patroni.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Postmasters left behind by a killed Patroni (or one that did not stop it) and their backends.
        for (Member m : members) {
            postmasterOf(m).ifPresent(h -> {
                started.add(h);
                h.descendants().forEach(started::add);
            });
        }
        started.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : started) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }
        List<ProcessHandle> left = started.stream().filter(ProcessHandle::isAlive).toList();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover directory under /tmp is no failure
        }
        if (!left.isEmpty()) {
            throw new IllegalStateException("processes of the Patroni cluster still alive: "
                    + left.stream().map(h -> h.pid() + " " + h.info().command().orElse("?")).toList());
        }
    }

    // ---------------------------------------------------------------- internals

    private static Optional<ProcessHandle> postmasterOf(Member m) {
        try {
            Path pid = m.dir.resolve("data/postmaster.pid");
            if (!Files.exists(pid)) {
                return Optional.empty();
            }
            long p = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            return ProcessHandle.of(p).filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + timeout + "\n" + list() + "\n" + logs());
            }
            Thread.sleep(100);
        }
    }

    private static void signal(String signal, List<ProcessHandle> processes) {
        if (processes.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        processes.forEach(h -> command.add(Long.toString(h.pid())));
        try {
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void own(Path p) throws IOException {
        if (root()) {
            Files.setAttribute(p, "unix:uid", NOBODY);
            Files.setAttribute(p, "unix:gid", NOBODY);
        }
    }

    /** Unprivileged (when root) and with a clean environment: no PYTHONPATH, pyenv shims or PG* variables of ours leak in. */
    private ProcessBuilder unprivileged(List<String> command, Path log) {
        List<String> full = new ArrayList<>();
        if (root()) {
            full.addAll(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        full.addAll(command);
        ProcessBuilder b = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = b.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("LANG", "C.UTF-8");
        return b;
    }

    private String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "cmd-", ".txt");
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        b.environment().clear();
        b.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString(), "LANG", "C.UTF-8"));
        Process p = b.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not end within " + timeout + ": " + Files.readString(out));
        }
        String text = Files.readString(out);
        Files.delete(out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed (" + p.exitValue() + "): " + text);
        }
        return text;
    }

    private void startEtcd() throws IOException, InterruptedException {
        Path data = dir.resolve("etcd");
        etcd = unprivileged(List.of("/usr/bin/etcd", "--name", "e", "--data-dir", data.toString(),
                "--listen-client-urls", "http://127.0.0.1:" + etcdPort, "--advertise-client-urls", "http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls", "http://127.0.0.1:" + etcdPeerPort, "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeerPort,
                "--initial-cluster", "e=http://127.0.0.1:" + etcdPeerPort, "--log-level", "warn"), dir.resolve("etcd.log")).start();
        await(Duration.ofSeconds(20), "etcd", () -> {
            try {
                HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + etcdPort + "/health")).timeout(Duration.ofSeconds(1)).build();
                return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).body().contains("true");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    private void startPatroni(Member m) throws IOException {
        m.frozen = false;
        m.patroni = unprivileged(List.of("/usr/bin/patroni", m.config().toString()), m.log()).start();
    }

    private void writeConfig(Member m) throws IOException {
        String yml = String.join("\n",
                "scope: " + SCOPE,
                "name: " + m.name,
                "log:",
                "  level: WARNING",
                "restapi:",
                "  listen: 127.0.0.1:" + m.restPort,
                "  connect_address: 127.0.0.1:" + m.restPort,
                "etcd3:",
                "  hosts: 127.0.0.1:" + etcdPort,
                "bootstrap:",
                "  dcs:",
                "    ttl: 10",
                "    loop_wait: 2",
                "    retry_timeout: 4",
                "    synchronous_mode: " + synchronous,
                "    postgresql:",
                "      use_pg_rewind: true",
                "      remove_data_directory_on_rewind_failure: true",
                "      remove_data_directory_on_diverged_timelines: true",
                "      parameters:",
                "        wal_log_hints: 'on'",
                "        max_connections: 60",
                "        shared_buffers: 16MB",
                "        fsync: 'off'", // every member dies as a process, never as a machine: the OS keeps what was written
                "        wal_keep_size: 128MB",
                "  initdb:",
                "  - encoding: UTF8",
                "  - auth: trust",
                "  pg_hba:",
                "  - local all all trust",
                "  - host all all 127.0.0.1/32 trust",
                "  - host replication all 127.0.0.1/32 trust",
                "postgresql:",
                "  listen: 127.0.0.1:" + m.pgPort,
                "  connect_address: 127.0.0.1:" + m.pgPort,
                "  data_dir: " + m.dir.resolve("data"),
                "  bin_dir: " + PG_BIN,
                "  authentication:",
                "    superuser: {username: postgres}",
                "    replication: {username: replicator}",
                "    rewind: {username: postgres}",
                "  parameters:",
                "    unix_socket_directories: " + m.dir,
                "");
        Files.writeString(m.config(), yml);
        own(m.config());
    }

    private void startHaproxy() throws IOException, InterruptedException {
        haproxyPort = freePort();
        StringBuilder cfg = new StringBuilder(String.join("\n",
                "global",
                "  maxconn 200",
                "defaults",
                "  mode tcp",
                "  timeout connect 2s",
                "  timeout client 30m",
                "  timeout server 30m",
                "  timeout check 1s",
                "listen leader",
                "  bind 127.0.0.1:" + haproxyPort,
                "  option httpchk OPTIONS /primary",
                "  http-check expect status 200",
                "  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions",
                ""));
        for (Member m : members) {
            cfg.append("  server ").append(m.name).append(" 127.0.0.1:").append(m.pgPort)
                    .append(" maxconn 100 check port ").append(m.restPort).append('\n');
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg.toString());
        own(file);
        haproxy = unprivileged(List.of("/usr/sbin/haproxy", "-db", "-f", file.toString()), dir.resolve("haproxy.log")).start();
        await(Duration.ofSeconds(10), "HAProxy listening", () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", haproxyPort)) {
                return true;
            } catch (IOException e) {
                return !haproxy.isAlive() && fail("HAProxy exited: " + tail(dir.resolve("haproxy.log"), 2000));
            }
        });
    }

    private static boolean fail(String why) {
        throw new IllegalStateException(why);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path file, int chars) {
        try {
            String s = Files.readString(file);
            return s.length() <= chars ? s : s.substring(s.length() - chars);
        } catch (IOException e) {
            return "(no " + file.getFileName() + ")";
        }
    }
}
