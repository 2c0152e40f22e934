package dev.resilientjdbc.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point of {@code -javaagent:resilient-agent.jar}. Instrumentation of unchanged applications
 * arrives with the agent issue; until then the agent says plainly that it does nothing, so nobody
 * believes their application is protected when it is not.
 */
public final class ResilientAgent {
    private ResilientAgent() {}

    public static void premain(String args, Instrumentation inst) {
        System.err.println("resilient-agent: instrumentation is not implemented yet; connections are NOT made resilient."
                + " Use the jdbc:resilient: URL prefix instead.");
    }

    public static void agentmain(String args, Instrumentation inst) {
        premain(args, inst);
    }
}
