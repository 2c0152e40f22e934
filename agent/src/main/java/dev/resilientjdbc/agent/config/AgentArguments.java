package dev.resilientjdbc.agent.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The text after {@code -javaagent:resilient-agent.jar=}: comma-separated {@code key=value} pairs.
 * A comma starts a new pair only when a key and '=' follow it, so regular expressions such as
 * {@code a{1,3}} survive unquoted. {@code config=/path} is short for {@code resilient.agent.config}.
 */
final class AgentArguments {
    private AgentArguments() {}

    static Map<String, String> parse(String args) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null || args.isBlank()) {
            return out;
        }
        for (String part : Syntax.PAIR_START.split(args.trim())) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Malformed agent argument '" + part
                        + "': expected key=value pairs separated by commas, e.g. resilient.retry.maxAttempts=5,config=/etc/app/resilient.properties");
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (key.equals("config")) {
                key = AgentSettings.CONFIG;
            }
            if (!key.startsWith("resilient.")) {
                throw new IllegalArgumentException("Unknown agent argument '" + key
                        + "': expected config=<file> or a resilient.* option");
            }
            if (out.put(key, value) != null) {
                throw new IllegalArgumentException("Agent argument '" + key + "' is given twice");
            }
        }
        return out;
    }

    // Compiled only when there are arguments: a JVM's first regular expression costs milliseconds of start-up.
    private static final class Syntax {
        static final Pattern PAIR_START = Pattern.compile(",(?=\\s*[A-Za-z][A-Za-z0-9_.\\-]*\\s*=)");
    }
}
