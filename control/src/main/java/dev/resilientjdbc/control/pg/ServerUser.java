package dev.resilientjdbc.control.pg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;

/**
 * Who initdb and postgres run as. PostgreSQL refuses to run as root, so when we are root both are
 * started through {@code setpriv}, which drops to {@code nobody} (65534) and then execs, so the PID
 * we hold is the postmaster's own.
 */
final class ServerUser {

    static final int UNPRIVILEGED_ID = 65534;
    private static final String SETPRIV = "/usr/bin/setpriv";

    private final boolean root;

    private ServerUser(boolean root) {
        this.root = root;
    }

    static ServerUser current() {
        boolean root = OsProcesses.effectiveUid()
                .map(uid -> uid == 0)
                .orElseGet(() -> "root".equals(System.getProperty("user.name")));
        return new ServerUser(root);
    }

    boolean dropsPrivileges() {
        return root;
    }

    List<String> command(List<String> command) {
        if (!root) {
            return command;
        }
        if (!Files.isExecutable(Path.of(SETPRIV))) {
            throw new IllegalStateException("running as root, and PostgreSQL will not; " + SETPRIV + " is needed to drop to uid "
                    + UNPRIVILEGED_ID + " but is missing");
        }
        List<String> wrapped = new ArrayList<>(List.of(SETPRIV, "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID,
                "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives {@code dir} to the server's user. */
    void handOver(Path dir) throws IOException {
        if (root) {
            Files.setAttribute(dir, "unix:uid", UNPRIVILEGED_ID);
            Files.setAttribute(dir, "unix:gid", UNPRIVILEGED_ID);
        }
    }

    /** Fails early, with a useful message, when the server's user could not walk down to {@code dir}. */
    void checkReachable(Path dir) throws IOException {
        if (!root) {
            return;
        }
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException(p + " is not searchable by others, so PostgreSQL running as uid " + UNPRIVILEGED_ID
                        + " cannot reach " + dir + "; choose another base directory (PgServer.Builder.baseDir)");
            }
        }
    }
}
