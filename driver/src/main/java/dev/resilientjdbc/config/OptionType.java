package dev.resilientjdbc.config;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an option's text value is parsed, and how the accepted values are described to a user who
 * got one wrong. Parsing failures are reported by {@link OptionRegistry} with the key and value.
 */
public final class OptionType<T> {
    // ASCII digits only: Java's number parsers also take other scripts' digits ('５'), hex floats
    // ('0x1p1'), type suffixes ('1d', '1f') and words ('Infinity'), none of which anyone means.
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,19})[ \\t]*(ms|s|m|h)?");
    private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]{1,10}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]{1,20}(?:\\.[0-9]{0,20})?|\\.[0-9]{1,20})");

    private final String accepted;
    private final Function<String, T> parser;

    private OptionType(String accepted, Function<String, T> parser) {
        this.accepted = accepted;
        this.parser = parser;
    }

    /** Human description of what this type accepts, used in error messages and the README table. */
    public String accepted() {
        return accepted;
    }

    /**
     * Returns the parsed value, or null when the text is not of this type; a custom rule may instead
     * throw IllegalArgumentException saying exactly what is wrong.
     */
    T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // not a number, or one past what a long or a Duration holds
        }
    }

    public static OptionType<Boolean> bool() {
        return new OptionType<>("true or false", t -> {
            switch (t.toLowerCase(Locale.ROOT)) {
                case "true": return Boolean.TRUE;
                case "false": return Boolean.FALSE;
                default: return null;
            }
        });
    }

    public static OptionType<Integer> integer(int min, int max) {
        return new OptionType<>("a whole number from " + min + " to " + max, t -> {
            if (!WHOLE.matcher(t).matches()) {
                return null;
            }
            int v = Integer.parseInt(t);
            return v >= min && v <= max ? v : null;
        });
    }

    public static OptionType<Double> decimal(double min, double max) {
        return new OptionType<>("a number from " + min + " to " + max, t -> {
            if (!DECIMAL.matcher(t).matches()) {
                return null;
            }
            double v = Double.parseDouble(t);
            return v >= min && v <= max && !Double.isNaN(v) ? v : null;
        });
    }

    /** Durations: plain milliseconds, or a number with unit ms, s, m or h ({@code 250ms}, {@code 30s}). */
    public static OptionType<Duration> duration(Duration min, Duration max) {
        return new OptionType<>("a duration from " + format(min) + " to " + format(max) + DURATION_SYNTAX, t -> {
            Duration d = parseDuration(t);
            return d != null && d.compareTo(min) >= 0 && d.compareTo(max) <= 0 ? d : null;
        });
    }

    /**
     * 0 (off), or a duration from {@code min} to {@code max}: for HikariCP settings that it would
     * otherwise replace in silence when they are below its own floor.
     */
    public static OptionType<Duration> offOrDuration(Duration min, Duration max) {
        return new OptionType<>("0 (off), or a duration from " + format(min) + " to " + format(max) + DURATION_SYNTAX, t -> {
            Duration d = parseDuration(t);
            return d != null && (d.isZero() || d.compareTo(min) >= 0 && d.compareTo(max) <= 0) ? d : null;
        });
    }

    private static final String DURATION_SYNTAX = " (milliseconds, or a number with unit ms, s, m or h, e.g. 250ms, 30s)";

    private static Duration parseDuration(String t) {
        Matcher m = DURATION.matcher(t.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        switch (unit) {
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            default: return Duration.ofMillis(n);
        }
    }

    /** One of a fixed set of words, compared without regard to case. */
    public static <E extends Enum<E>> OptionType<E> oneOf(Class<E> type) {
        E[] constants = type.getEnumConstants();
        StringBuilder names = new StringBuilder("one of");
        for (int i = 0; i < constants.length; i++) {
            names.append(i == 0 ? " " : ", ").append(constants[i].name().toLowerCase(Locale.ROOT));
        }
        return new OptionType<>(names.toString(), t -> {
            for (E c : constants) {
                if (c.name().equalsIgnoreCase(t)) {
                    return c;
                }
            }
            return null;
        });
    }

    /** Free text checked by the given rule, which returns null for a bad value; {@code accepted} says what it wants. */
    public static <T> OptionType<T> custom(String accepted, Function<String, T> parser) {
        return new OptionType<>(accepted, parser);
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0 && ms > 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
