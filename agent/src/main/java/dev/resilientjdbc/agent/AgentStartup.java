package dev.resilientjdbc.agent;

import dev.resilientjdbc.agent.boot.ConnectHook;
import dev.resilientjdbc.agent.config.AgentSettings;
import dev.resilientjdbc.agent.install.Instrumenter;
import dev.resilientjdbc.agent.wrap.ConnectInterceptor;

import java.lang.instrument.Instrumentation;

/** Reads the settings, installs the instrumentation and says, in one line, what it did. */
final class AgentStartup {
    private static final String NAME = "resilient-agent";

    private AgentStartup() {}

    static void start(String args, Instrumentation inst, boolean lateAttach) {
        AgentSettings settings;
        try {
            settings = AgentSettings.load(args);
        } catch (IllegalArgumentException e) {
            // A typo must stop the application rather than leave it silently unprotected.
            System.err.println(NAME + ": not started: " + e.getMessage());
            throw e;
        }
        try {
            // The handler first: a driver class loaded the instant after instrumentation is installed finds it.
            ConnectHook.install(new ConnectInterceptor(settings));
            Instrumenter.install(inst, lateAttach, settings.verbose());
        } catch (Exception | LinkageError e) {
            System.err.println(NAME + ": not started, connections are NOT resilient: " + e);
            throw new IllegalStateException(NAME + " could not install its instrumentation", e);
        }
        // A StringBuilder, not '+': the first run of a concatenation site spins method handles (milliseconds).
        System.err.println(new StringBuilder(NAME).append(' ').append(version()).append(": making connections resilient at ")
                .append(String.join(", ", Instrumenter.TARGETS)).append(" (").append(settings.describe()).append(')'));
    }

    private static String version() {
        String v = AgentStartup.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
