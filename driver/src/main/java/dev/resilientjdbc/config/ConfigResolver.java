package dev.resilientjdbc.config;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Merges the option sources in DESIGN.md's order — URL query, connect Properties, JVM system
 * properties, environment, defaults — and strips {@code resilient.*} keys from what the real
 * driver will see. Unknown keys in the URL, the Properties and system properties, and bad values
 * anywhere, are SQLExceptions, never ignored. A {@code RESILIENT_*} environment variable that is not
 * an option is not ours to reject: the environment is shared with the whole host (see {@link StrayEnvironment}).
 */
public final class ConfigResolver {
    private static final String ENV_PREFIX = "RESILIENT_";
    // The java agent's own settings (resilient.agent.include, RESILIENT_AGENT_EXCLUDE, ...) share the
    // JVM's system properties and environment with the driver; they are the agent's to check, not ours.
    private static final String AGENT_KEY_PREFIX = "resilient.agent.";
    private static final String AGENT_ENV_PREFIX = "RESILIENT_AGENT_";

    private final OptionRegistry registry;
    private final Properties systemProperties;
    private final Map<String, String> environment;
    private final StrayEnvironment strays;

    public ConfigResolver(OptionRegistry registry, Properties systemProperties, Map<String, String> environment) {
        this(registry, systemProperties, environment, StrayEnvironment.PROCESS);
    }

    ConfigResolver(OptionRegistry registry, Properties systemProperties, Map<String, String> environment, StrayEnvironment strays) {
        this.registry = registry;
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.strays = strays;
    }

    /** The resolver the driver uses: the JVM's own system properties and environment. */
    public static ConfigResolver fromJvm() {
        return new ConfigResolver(ResilientOptions.REGISTRY, System.getProperties(), System.getenv());
    }

    public ResilientConfig resolve(Map<String, String> urlOptions, Properties info) throws SQLException {
        Map<Option<?>, Object> values = new HashMap<>();
        Map<Option<?>, OptionSource> sources = new HashMap<>();
        // Lowest precedence first, so that later puts win.
        List<String> stray = new ArrayList<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey().startsWith(ENV_PREFIX) && !e.getKey().startsWith(AGENT_ENV_PREFIX)) {
                Option<?> o = registry.findByEnvironmentName(e.getKey());
                if (o == null) {
                    stray.add(e.getKey());
                } else {
                    put(values, sources, o, e.getValue(), OptionSource.ENVIRONMENT, e.getKey());
                }
            }
        }
        stray.sort(null); // the environment's order is the hash map's: name them in a stable one
        strays.warnOnce(stray, registry);
        collect(values, sources, withoutAgentKeys(systemProperties), OptionSource.SYSTEM_PROPERTY);
        if (info != null) {
            collect(values, sources, info, OptionSource.PROPERTIES);
        }
        for (Map.Entry<String, String> e : urlOptions.entrySet()) {
            Option<?> o = registry.require(e.getKey(), OptionSource.URL);
            put(values, sources, o, e.getValue(), OptionSource.URL, e.getKey());
        }
        return new ResilientConfig(values, sources);
    }

    /** A copy of {@code info} without our keys: what the real driver is given. */
    public static Properties stripped(Properties info) {
        Properties out = new Properties();
        if (info == null) {
            return out;
        }
        for (Map.Entry<Object, Object> e : info.entrySet()) {
            if (!(e.getKey() instanceof String) || !isOurs((String) e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        // Defaults inside a Properties object are visible only through stringPropertyNames.
        for (String name : info.stringPropertyNames()) {
            if (!isOurs(name) && !out.containsKey(name)) {
                out.setProperty(name, info.getProperty(name));
            }
        }
        return out;
    }

    private static Properties withoutAgentKeys(Properties system) {
        Properties out = new Properties();
        for (Map.Entry<Object, Object> e : system.entrySet()) {
            if (!(e.getKey() instanceof String && ((String) e.getKey()).toLowerCase(Locale.ROOT).startsWith(AGENT_KEY_PREFIX))) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static boolean isOurs(String key) {
        return key.toLowerCase(Locale.ROOT).startsWith(Option.PREFIX);
    }

    private void collect(Map<Option<?>, Object> values, Map<Option<?>, OptionSource> sources, Properties p,
                         OptionSource source) throws SQLException {
        for (String name : p.stringPropertyNames()) {
            if (isOurs(name)) {
                Option<?> o = registry.require(name, source);
                put(values, sources, o, p.getProperty(name), source, name);
            }
        }
        // A non-String value under one of our keys would be invisible to stringPropertyNames: reject it.
        for (Map.Entry<Object, Object> e : p.entrySet()) {
            if (e.getKey() instanceof String && isOurs((String) e.getKey()) && !(e.getValue() instanceof String)) {
                Option<?> o = registry.require((String) e.getKey(), source);
                throw new SQLException("Bad value of type " + (e.getValue() == null ? "null" : e.getValue().getClass().getName())
                        + " for option '" + o.key() + "' in " + source.description() + ": expected text, "
                        + o.type().accepted(), OptionRegistry.BAD_VALUE_STATE);
            }
        }
    }

    private static void put(Map<Option<?>, Object> values, Map<Option<?>, OptionSource> sources, Option<?> o,
                            String text, OptionSource source, String name) throws SQLException {
        values.put(o, OptionRegistry.parse(o, text, source, UrlMasking.isSecret(name)));
        sources.put(o, source);
    }
}
