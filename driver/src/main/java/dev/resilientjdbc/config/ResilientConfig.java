package dev.resilientjdbc.config;

import java.util.Collections;
import java.util.Map;

/** The resolved value of every option for one target, with where each came from. Immutable. */
public final class ResilientConfig {
    private final Map<Option<?>, Object> values;
    private final Map<Option<?>, OptionSource> sources;

    ResilientConfig(Map<Option<?>, Object> values, Map<Option<?>, OptionSource> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        return values.containsKey(option) ? (T) values.get(option) : option.defaultValue();
    }

    public OptionSource sourceOf(Option<?> option) {
        return sources.getOrDefault(option, OptionSource.DEFAULT);
    }

    /** A configuration with every option at its default. */
    public static ResilientConfig defaults() {
        return new ResilientConfig(Map.of(), Map.of());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ResilientConfig{");
        values.forEach((o, v) -> sb.append(o.key()).append('=').append(UrlMasking.isSecret(o.key()) ? "***" : v)
                .append(" (").append(sources.get(o)).append("), "));
        if (!values.isEmpty()) {
            sb.setLength(sb.length() - 2);
        }
        return sb.append('}').toString();
    }
}
