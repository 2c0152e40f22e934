package dev.resilientjdbc.demo;

import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.control.jvm.ChildJvm;
import dev.resilientjdbc.demo.legacy.LedgerApp;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The ledger app ({@link LedgerApp}) in a {@link ChildJvm}, with or without {@code -javaagent}: its
 * {@code PROGRESS committed errors} lines become counters for the live line, the rest of its stdout
 * is kept as lines and the last 40 stderr lines for error messages (URLs in them masked).
 * {@link #close()} destroys the process if it still runs, so a child never outlives the demo's run of it.
 */
final class LedgerChild implements AutoCloseable {
    private static final int ERR_TAIL = 40;

    private final ChildJvm child;
    private volatile long committed;
    private volatile long failed;

    private LedgerChild(List<String> jvmArgs, String classPath, String url, int clients, Duration duration, String side)
            throws IOException {
        // The URL goes in the environment, not the command line, so a password in it does not show in a process listing.
        this.child = ChildJvm.builder(LedgerApp.class.getName())
                .jvmArgs(jvmArgs)
                .classPath(classPath)
                .env(LedgerApp.URL_ENV, url)
                .args("-", String.valueOf(clients), String.valueOf(duration.toMillis()))
                .name("ledger-app-" + side)
                .stdoutHook(this::progress)
                .stderrTail(ERR_TAIL)
                .redact(UrlMasking::mask)
                .start();
    }

    /** Starts {@code java [jvmArgs] -cp classPath LedgerApp - clients durationMs} with the URL in the environment. */
    static LedgerChild start(List<String> jvmArgs, String classPath, String url, int clients, Duration duration, String side)
            throws IOException {
        return new LedgerChild(jvmArgs, classPath, url, clients, duration, side);
    }

    private boolean progress(String line) {
        if (!line.startsWith("PROGRESS ")) {
            return false;
        }
        String[] f = line.split(" ");
        committed = Long.parseLong(f[1]);
        failed = Long.parseLong(f[2]);
        return true;
    }

    long committed() {
        return committed;
    }

    long failed() {
        return failed;
    }

    /** The first stdout line matching {@code wanted}, waiting up to {@code timeout}; an exception with the child's output if it never comes. */
    String awaitLine(Predicate<String> wanted, Duration timeout, String what) throws InterruptedException {
        return child.awaitLine(wanted, timeout, what);
    }

    List<String> stdout() {
        return child.stdout();
    }

    List<String> stderr() {
        return child.stderr();
    }

    /** Asks the app to end its run early (it still reports its result). */
    void stop() {
        try {
            child.send("STOP");
        } catch (IOException gone) {
            // it has ended already
        }
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        return child.awaitExit(timeout);
    }

    @Override
    public void close() {
        child.close();
    }
}
