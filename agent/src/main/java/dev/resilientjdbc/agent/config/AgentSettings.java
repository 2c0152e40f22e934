package dev.resilientjdbc.agent.config;

import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.config.UrlMasking;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Everything the agent is told, from (highest precedence first) its arguments, JVM system
 * properties, a properties file ({@code config=/path}, {@code -Dresilient.agent.config},
 * {@code RESILIENT_AGENT_CONFIG}) and {@code RESILIENT_*} environment variables. Driver options
 * are the driver's own ({@link ResilientOptions#REGISTRY}) and are checked here, at start-up, so a
 * typo stops the JVM instead of failing the first connect; {@code resilient.agent.*} keys are the
 * agent's own.
 */
public final class AgentSettings {
    public static final String AGENT_PREFIX = "resilient.agent.";
    public static final String INCLUDE = "resilient.agent.include";
    public static final String EXCLUDE = "resilient.agent.exclude";
    public static final String CONFIG = "resilient.agent.config";
    public static final String VERBOSE = "resilient.agent.verbose";
    static final String DEFAULT_INCLUDE = "jdbc:(postgresql|sqlite):.*";
    private static final String[] AGENT_KEYS = {INCLUDE, EXCLUDE, CONFIG, VERBOSE};

    private final Pattern include; // null: DEFAULT_INCLUDE, compiled at the first connect (DefaultInclude)
    private final Pattern exclude;
    private final boolean verbose;
    private final ConfigResolver resolver;
    private final Map<String, String> driverOptions;
    private final List<String> strayAgentVariables;

    private AgentSettings(Pattern include, Pattern exclude, boolean verbose, ConfigResolver resolver,
                          Map<String, String> driverOptions, List<String> strayAgentVariables) {
        this.include = include;
        this.exclude = exclude;
        this.verbose = verbose;
        this.resolver = resolver;
        this.driverOptions = driverOptions;
        this.strayAgentVariables = strayAgentVariables;
    }

    /** Reads the JVM's own sources. */
    public static AgentSettings load(String agentArgs) {
        return load(agentArgs, System.getProperties(), System.getenv());
    }

    /** Reads and checks every source; an {@link IllegalArgumentException} says what is wrong and where. */
    public static AgentSettings load(String agentArgs, Properties system, Map<String, String> environment) {
        Map<String, String> args = AgentArguments.parse(agentArgs);
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> agentEnv = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey().startsWith("RESILIENT_AGENT_")) {
                agentEnv.put(e.getKey(), e.getValue());
            } else if (e.getKey().startsWith("RESILIENT_")) {
                env.put(e.getKey(), e.getValue());
            }
        }
        Properties systemOurs = ours(system);
        String configPath = first(args.get(CONFIG), systemOurs.getProperty(CONFIG), agentEnv.get("RESILIENT_AGENT_CONFIG"));
        Properties file = configPath == null ? new Properties() : readFile(configPath);

        // Each source is checked on its own so that an error names where the bad key came from. (concat, not
        // '+', here and below: the first run of a '+' site spins method handles, milliseconds before main.)
        check(file, "the agent config file ".concat(String.valueOf(configPath)));
        check(systemOurs, "a JVM system property");
        check(toProperties(args), "the agent arguments");
        // Only the variables that are options: the others are named by the driver's one WARNING at the first
        // connect, not here, where java.util.logging would be set up before the application could configure it.
        Map<String, String> envOptions = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (ResilientOptions.REGISTRY.findByEnvironmentName(e.getKey()) != null) {
                envOptions.put(e.getKey(), e.getValue());
            }
        }
        try {
            new ConfigResolver(ResilientOptions.REGISTRY, new Properties(), envOptions).resolve(Collections.emptyMap(), null);
        } catch (SQLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        List<String> strayAgentVariables = new ArrayList<>();
        for (String key : agentEnv.keySet()) {
            String asKey = AGENT_PREFIX.concat(key.substring("RESILIENT_AGENT_".length()).toLowerCase(Locale.ROOT));
            if (!isAgentKey(asKey)) {
                strayAgentVariables.add(key);
            }
        }
        strayAgentVariables.sort(null);

        // Lowest precedence first, later puts win.
        Properties merged = new Properties();
        merged.putAll(file);
        merged.putAll(systemOurs);
        merged.putAll(toProperties(args));
        Properties driver = new Properties();
        Map<String, String> shown = new LinkedHashMap<>();
        for (String name : merged.stringPropertyNames()) {
            if (!name.toLowerCase(Locale.ROOT).startsWith(AGENT_PREFIX)) {
                driver.setProperty(name, merged.getProperty(name));
                shown.put(name, merged.getProperty(name));
            }
        }
        String includeText = first(merged.getProperty(INCLUDE), agentEnv.get("RESILIENT_AGENT_INCLUDE"), DEFAULT_INCLUDE);
        String excludeText = first(merged.getProperty(EXCLUDE), agentEnv.get("RESILIENT_AGENT_EXCLUDE"), null);
        String verboseText = first(merged.getProperty(VERBOSE), agentEnv.get("RESILIENT_AGENT_VERBOSE"), "false");
        if (!verboseText.equalsIgnoreCase("true") && !verboseText.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("Bad value '" + verboseText + "' for " + VERBOSE + ": expected true or false");
        }
        // The default needs no check, and a JVM's first regular expression costs milliseconds before main.
        Pattern include = includeText.equals(DEFAULT_INCLUDE) ? null : regex(INCLUDE, includeText);
        return new AgentSettings(include, excludeText == null ? null : regex(EXCLUDE, excludeText),
                Boolean.parseBoolean(verboseText), new ConfigResolver(ResilientOptions.REGISTRY, driver, env),
                Collections.unmodifiableMap(shown), List.copyOf(strayAgentVariables));
    }

    /** Whether connections to {@code url} are made resilient: it matches the include pattern and not the exclude one. */
    public boolean covers(String url) {
        Pattern in = include != null ? include : DefaultInclude.PATTERN;
        return in.matcher(url).matches() && (exclude == null || !exclude.matcher(url).matches());
    }

    /** The resolver of driver options at connect time (connect Properties still win over it). */
    public ConfigResolver resolver() {
        return resolver;
    }

    public boolean verbose() {
        return verbose;
    }

    /** For the start-up line: what was set, in the driver's option names (values of secret-looking keys hidden). */
    public String describe() {
        StringBuilder b = new StringBuilder("include=").append(include != null ? include.pattern() : DEFAULT_INCLUDE);
        if (exclude != null) {
            b.append(" exclude=").append(exclude.pattern());
        }
        for (Map.Entry<String, String> e : driverOptions.entrySet()) {
            b.append(' ').append(e.getKey()).append('=').append(UrlMasking.isSecret(e.getKey()) ? "***" : e.getValue());
        }
        if (!strayAgentVariables.isEmpty()) {
            // Names only: a value may be a secret.
            b.append("; ignoring environment variables that are not agent options: ").append(String.join(", ", strayAgentVariables))
                    .append(" (the agent reads RESILIENT_AGENT_INCLUDE, _EXCLUDE, _CONFIG, _VERBOSE)");
        }
        return b.toString();
    }

    private static void check(Properties source, String where) {
        for (String name : source.stringPropertyNames()) {
            if (name.toLowerCase(Locale.ROOT).startsWith(AGENT_PREFIX) && !isAgentKey(name)) {
                throw new IllegalArgumentException("Unknown agent option '" + name + "' in " + where
                        + "; the agent knows " + String.join(", ", AGENT_KEYS));
            }
        }
        Properties driverOnly = new Properties();
        for (String name : source.stringPropertyNames()) {
            if (!name.toLowerCase(Locale.ROOT).startsWith(AGENT_PREFIX)) {
                driverOnly.setProperty(name, source.getProperty(name));
            }
        }
        try {
            new ConfigResolver(ResilientOptions.REGISTRY, driverOnly, Collections.emptyMap()).resolve(Collections.emptyMap(), null);
        } catch (SQLException e) {
            throw new IllegalArgumentException(e.getMessage().replace("a JVM system property", where), e);
        }
    }

    private static boolean isAgentKey(String key) {
        for (String k : AGENT_KEYS) {
            if (k.equals(key)) {
                return true;
            }
        }
        return false;
    }

    private static Properties ours(Properties system) {
        Properties out = new Properties();
        for (String name : system.stringPropertyNames()) {
            if (name.toLowerCase(Locale.ROOT).startsWith("resilient.")) {
                out.setProperty(name, system.getProperty(name));
            }
        }
        return out;
    }

    private static Properties toProperties(Map<String, String> map) {
        Properties p = new Properties();
        for (Map.Entry<String, String> e : map.entrySet()) {
            p.setProperty(e.getKey(), e.getValue());
        }
        return p;
    }

    private static Properties readFile(String path) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot read the agent config file " + path + ": " + e, e);
        }
        for (String name : p.stringPropertyNames()) {
            if (!name.toLowerCase(Locale.ROOT).startsWith("resilient.")) {
                throw new IllegalArgumentException("Unknown key '" + name + "' in the agent config file " + path
                        + ": every key is a resilient.* option");
            }
        }
        return p;
    }

    private static Pattern regex(String key, String text) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("Bad value '" + text + "' for " + key + ": expected a Java regular expression ("
                    + e.getDescription() + ")", e);
        }
    }

    private static String first(String a, String b, String c) {
        return a != null ? a : b != null ? b : c;
    }

    private static final class DefaultInclude {
        static final Pattern PATTERN = Pattern.compile(DEFAULT_INCLUDE);
    }
}
