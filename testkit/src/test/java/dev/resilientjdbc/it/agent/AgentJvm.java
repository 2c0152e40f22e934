package dev.resilientjdbc.it.agent;

import dev.resilientjdbc.control.jvm.ChildJvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the agent tests add to {@link ChildJvm}: the agent jar the reactor built, the JDKs a legacy app
 * runs on, and the legacy apps' progress protocol ({@code READY}, then {@code OPS n} lines).
 */
final class AgentJvm {
    static final Path AGENT_JAR = locateAgentJar();
    static final String JDK17 = ChildJvm.THIS_JAVA;
    static final Path JDK25_HOME = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    private AgentJvm() {
    }

    static String agentArg(String options) {
        return "-javaagent:" + AGENT_JAR + (options == null || options.isEmpty() ? "" : "=" + options);
    }

    static boolean jdk25Available() {
        return Files.isExecutable(JDK25_HOME.resolve("bin/java"));
    }

    static String jdk25() {
        return JDK25_HOME.resolve("bin/java").toString();
    }

    /** The highest {@code OPS n} the child has printed (10 once READY). */
    static int opsDone(ChildJvm child) {
        int n = 0;
        for (String line : child.stdout()) {
            if (line.equals("READY")) {
                n = Math.max(n, 10);
            } else if (line.startsWith("OPS ")) {
                n = Math.max(n, Integer.parseInt(line.substring(4).trim()));
            }
        }
        return n;
    }

    /** Waits until the child has done {@code more} operations beyond what it had done when called. */
    static void awaitProgress(ChildJvm child, int more, Duration timeout) throws InterruptedException {
        int target = opsDone(child) + more;
        child.awaitLine(l -> l.startsWith("OPS ") && Integer.parseInt(l.substring(4).trim()) >= target, timeout,
                "progress to " + target + " operations");
    }

    private static Path locateAgentJar() {
        // Surefire runs in testkit/; the reactor built the agent module before it.
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("agent/target/resilient-agent.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("agent/target/resilient-agent.jar not found above " + here
                + ": build the agent module first (mvn -pl testkit -am verify)");
    }
}
