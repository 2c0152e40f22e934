package dev.resilientjdbc.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point of {@code -javaagent:resilient-agent.jar[=options]}: connections that supported real
 * drivers hand to an unchanged application become resilient-jdbc logical connections.
 */
public final class ResilientAgent {
    private ResilientAgent() {}

    public static void premain(String args, Instrumentation inst) {
        AgentStartup.start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        AgentStartup.start(args, inst, true);
    }
}
