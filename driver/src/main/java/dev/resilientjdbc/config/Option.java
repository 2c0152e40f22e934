package dev.resilientjdbc.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One {@code resilient.*} setting: its key, type, default and meaning. Every option the driver
 * understands is declared once in {@link ResilientOptions}; the option table in docs/OPTIONS.md is checked
 * against that list by a test.
 */
public final class Option<T> {
    public static final String PREFIX = "resilient.";

    private final String key;
    private final OptionType<T> type;
    private final T defaultValue;
    private final String defaultText;
    private final String description;

    public Option(String key, OptionType<T> type, T defaultValue, String defaultText, String description) {
        if (!key.startsWith(PREFIX)) {
            throw new IllegalArgumentException("option keys start with " + PREFIX + ": " + key);
        }
        this.key = key;
        this.type = Objects.requireNonNull(type);
        this.defaultValue = defaultValue;
        this.defaultText = Objects.requireNonNull(defaultText);
        this.description = Objects.requireNonNull(description);
    }

    public String key() {
        return key;
    }

    public OptionType<T> type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** The default as a user would write it. */
    public String defaultText() {
        return defaultText;
    }

    public String description() {
        return description;
    }

    /** {@code resilient.retry.maxAttempts} → {@code RESILIENT_RETRY_MAX_ATTEMPTS}. */
    public String environmentName() {
        StringBuilder sb = new StringBuilder(key.length() + 8);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.' || c == '-') {
                sb.append('_');
            } else if (Character.isUpperCase(c)) {
                sb.append('_').append(c);
            } else {
                sb.append(Character.toUpperCase(c));
            }
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return key;
    }
}
