package dev.resilientjdbc.control.pg;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Signals and liveness for processes we do not necessarily own.
 *
 * <p>Java can only send SIGTERM and SIGKILL, so other signals go through {@code kill(1)}. Liveness
 * treats a zombie as dead: orphaned backends are reaped by PID 1 whenever it gets round to it, and
 * a zombie holds no port, no shared memory and no file.
 */
public final class OsProcesses {

    private static final Duration KILL_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private OsProcesses() {
    }

    /** Sends {@code signal} (a name such as {@code INT}, {@code QUIT}, {@code STOP}) and says whether kill(1) succeeded. */
    static boolean signal(String signal, long pid) {
        ProcessBuilder kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process process = kill.start();
            if (!process.waitFor(KILL_COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -s " + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void killForcibly(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Alive and not a zombie. */
    static boolean isAlive(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            try {
                String text = Files.readString(stat, StandardCharsets.ISO_8859_1);
                // The state letter follows the command name, which is in parentheses and may contain anything.
                int close = text.lastIndexOf(')');
                char state = close >= 0 && close + 2 < text.length() ? text.charAt(close + 2) : '?';
                return state != 'Z' && state != 'X' && state != 'x';
            } catch (IOException gone) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Waits until none of {@code pids} is alive; returns the ones still alive at the deadline. */
    static List<Long> awaitDeath(List<Long> pids, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Long> alive = pids.stream().filter(OsProcesses::isAlive).toList();
            if (alive.isEmpty() || System.nanoTime() > deadline) {
                return alive;
            }
            Thread.sleep(10);
        }
    }

    public static Optional<Long> effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) {
                    // "Uid:  real  effective  saved  fs"
                    return Optional.of(Long.parseLong(line.substring(4).trim().split("\\s+")[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return Optional.empty();
    }
}
