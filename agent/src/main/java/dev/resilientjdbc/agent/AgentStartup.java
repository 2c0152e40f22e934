package dev.resilientjdbc.agent;

import dev.resilientjdbc.agent.boot.ConnectHook;
import dev.resilientjdbc.agent.config.AgentSettings;
import dev.resilientjdbc.agent.install.Instrumenter;
import dev.resilientjdbc.agent.wrap.ConnectInterceptor;

import java.lang.instrument.Instrumentation;

/**
 * Reads the settings, installs the instrumentation and says, in one line, what it did. When it cannot
 * (a configuration mistake, or instrumentation the JVM refuses), {@code premain} ends the JVM with one
 * line and a documented exit code before {@code main} runs (agent/README, "When the agent cannot
 * start"); a late attach leaves the running application alone and reports to the attaching tool.
 */
final class AgentStartup {
    private static final String NAME = "resilient-agent";
    /** sysexits.h EX_CONFIG: the agent's configuration is wrong. */
    static final int EXIT_CONFIGURATION = 78;
    /** sysexits.h EX_SOFTWARE: the instrumentation could not be installed. */
    static final int EXIT_INSTALL = 70;

    private AgentStartup() {}

    static void start(String args, Instrumentation inst, boolean lateAttach) {
        AgentSettings settings;
        try {
            settings = AgentSettings.load(args);
        } catch (IllegalArgumentException e) {
            // A typo must stop the application rather than leave it silently unprotected.
            stop(NAME + ": not started: " + e.getMessage(), EXIT_CONFIGURATION, lateAttach, e);
            return;
        }
        try {
            // The handler first: a driver class loaded the instant after instrumentation is installed finds it.
            ConnectHook.install(new ConnectInterceptor(settings));
            Instrumenter.install(inst, lateAttach, settings.verbose());
        } catch (Exception | LinkageError e) {
            stop(NAME + ": not started, connections are NOT resilient: " + e, EXIT_INSTALL, lateAttach, e);
            return;
        }
        // A StringBuilder, not '+': the first run of a concatenation site spins method handles (milliseconds).
        System.err.println(new StringBuilder(NAME).append(' ').append(version()).append(": making connections resilient at ")
                .append(String.join(", ", Instrumenter.TARGETS)).append(" (").append(settings.describe()).append(')'));
    }

    /**
     * One line, then the end of the JVM with {@code status}. Not an exception out of {@code premain}: the
     * JVM answers that with a native abort (exit 134, "FATAL ERROR in native method", a stack trace).
     * Attached late, the application is already running: the exception goes back to the attaching tool.
     */
    private static void stop(String line, int status, boolean lateAttach, Throwable cause) {
        System.err.println(line);
        if (lateAttach) {
            throw new IllegalStateException(line, cause);
        }
        System.exit(status);
    }

    private static String version() {
        String v = AgentStartup.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
