package dev.resilientjdbc.it.reconnect;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's PgBouncer in transaction pooling mode in front of a PostgreSQL server, for tests: a
 * configuration in a directory of its own, trust authentication, run as {@code nobody} through
 * setpriv when we are root (PgBouncer refuses root). Closed by the test that made it.
 */
final class PgBouncerProcess implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
    private static final int NOBODY = 65534;

    private final Path dir;
    private final int port;
    private final Process process;

    private PgBouncerProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts PgBouncer for database {@code database} of the server at 127.0.0.1:{@code serverPort}; returns once it serves. */
    static PgBouncerProcess start(int serverPort, String database, int poolSize) throws IOException, InterruptedException, SQLException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pgbouncer-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                database + " = host=127.0.0.1 port=" + serverPort + " dbname=" + database + " user=postgres",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + dir.resolve("users.txt"),
                "pool_mode = transaction",
                "default_pool_size = " + poolSize,
                "max_client_conn = 200",
                "server_login_retry = 1",
                "ignore_startup_parameters = extra_float_digits",
                "logfile = " + dir.resolve("pgbouncer.log"),
                ""));
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> command = new ArrayList<>();
        if (root) {
            for (Path p : List.of(dir, dir.resolve("users.txt"), dir.resolve("pgbouncer.ini"))) {
                Files.setAttribute(p, "unix:uid", NOBODY);
                Files.setAttribute(p, "unix:gid", NOBODY);
            }
            command.addAll(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        command.addAll(List.of(BINARY.toString(), dir.resolve("pgbouncer.ini").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.txt").toFile())).start();
        PgBouncerProcess bouncer = new PgBouncerProcess(dir, port, p);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Connection c = DriverManager.getConnection(bouncer.jdbcUrl(database) + "?user=postgres")) {
                return bouncer;
            } catch (SQLException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    bouncer.close();
                    throw new IllegalStateException("PgBouncer did not serve within 20 s: " + bouncer.log(), notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    int port() {
        return port;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log")) + Files.readString(dir.resolve("stdout.txt"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
