package dev.resilientjdbc.config;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an option's text value is parsed, and how the accepted values are described to a user who
 * got one wrong. Parsing failures are reported by {@link OptionRegistry} with the key and value.
 *
 * <p>Every option's type is made while {@link ResilientOptions} is initialised, which the java agent
 * does before {@code main}; so the built-in types are one class and a switch, not a lambda each
 * (whose first run spins a class at run time) nor a small class each (each loaded and verified
 * one by one), and their descriptions are built without string {@code +} (whose first run per site
 * spins method handles). See agent/README.md, start-up.
 */
public final class OptionType<T> {
    private static final String DURATION_SYNTAX = " (milliseconds, or a number with unit ms, s, m or h, e.g. 250ms, 30s)";
    private static final int BOOL = 0;
    private static final int WHOLE = 1;
    private static final int DECIMAL = 2;
    private static final int DURATION = 3;
    private static final int OFF_OR_DURATION = 4;
    private static final int ONE_OF = 5;
    private static final int MATCHING = 6;
    private static final int CUSTOM = 7;

    private final String accepted;
    private final int kind;
    // What the kind needs: the range's ends (boxed), the enum's constants, the regex, or the custom rule.
    private final Object low;
    private final Object high;

    private OptionType(String accepted, int kind, Object low, Object high) {
        this.accepted = accepted;
        this.kind = kind;
        this.low = low;
        this.high = high;
    }

    /** Human description of what this type accepts, used in error messages and the option table (docs/OPTIONS.md). */
    public String accepted() {
        return accepted;
    }

    /**
     * Returns the parsed value, or null when the text is not of this type; a custom rule may instead
     * throw IllegalArgumentException saying exactly what is wrong.
     */
    @SuppressWarnings("unchecked")
    T parse(String text) {
        try {
            return (T) parseTrimmed(text.trim());
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // not a number, or one past what a long or a Duration holds
        }
    }

    @SuppressWarnings("unchecked")
    private Object parseTrimmed(String t) {
        switch (kind) {
            case BOOL:
                switch (t.toLowerCase(Locale.ROOT)) {
                    case "true": return Boolean.TRUE;
                    case "false": return Boolean.FALSE;
                    default: return null;
                }
            case WHOLE: {
                if (!Syntax.WHOLE.matcher(t).matches()) {
                    return null;
                }
                int v = Integer.parseInt(t);
                return v >= (Integer) low && v <= (Integer) high ? v : null;
            }
            case DECIMAL: {
                if (!Syntax.DECIMAL.matcher(t).matches()) {
                    return null;
                }
                double v = Double.parseDouble(t);
                return v >= (Double) low && v <= (Double) high && !Double.isNaN(v) ? v : null;
            }
            case DURATION:
            case OFF_OR_DURATION: {
                Duration d = parseDuration(t);
                return d != null && (kind == OFF_OR_DURATION && d.isZero()
                        || d.compareTo((Duration) low) >= 0 && d.compareTo((Duration) high) <= 0) ? d : null;
            }
            case ONE_OF:
                for (Enum<?> c : (Enum<?>[]) low) {
                    if (c.name().equalsIgnoreCase(t)) {
                        return c;
                    }
                }
                return null;
            case MATCHING:
                return t.matches((String) low) ? t : null;
            default: // CUSTOM
                return ((Function<String, ?>) low).apply(t);
        }
    }

    public static OptionType<Boolean> bool() {
        return new OptionType<>("true or false", BOOL, null, null);
    }

    public static OptionType<Integer> integer(int min, int max) {
        return new OptionType<>(new StringBuilder("a whole number from ").append(min).append(" to ").append(max).toString(),
                WHOLE, min, max);
    }

    public static OptionType<Double> decimal(double min, double max) {
        return new OptionType<>(new StringBuilder("a number from ").append(min).append(" to ").append(max).toString(),
                DECIMAL, min, max);
    }

    /** Durations: plain milliseconds, or a number with unit ms, s, m or h ({@code 250ms}, {@code 30s}). */
    public static OptionType<Duration> duration(Duration min, Duration max) {
        return new OptionType<>(durationRange("a duration from ", min, max), DURATION, min, max);
    }

    /**
     * 0 (off), or a duration from {@code min} to {@code max}: for HikariCP settings that it would
     * otherwise replace in silence when they are below its own floor.
     */
    public static OptionType<Duration> offOrDuration(Duration min, Duration max) {
        return new OptionType<>(durationRange("0 (off), or a duration from ", min, max), OFF_OR_DURATION, min, max);
    }

    private static String durationRange(String lead, Duration min, Duration max) {
        return new StringBuilder(lead).append(format(min)).append(" to ").append(format(max)).append(DURATION_SYNTAX).toString();
    }

    private static Duration parseDuration(String t) {
        Matcher m = Syntax.DURATION.matcher(t.toLowerCase(Locale.ROOT));
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
        return new OptionType<>(names.toString(), ONE_OF, constants, null);
    }

    /** Text the whole of which matches {@code regex}; {@code accepted} says what it wants. */
    public static OptionType<String> matching(String accepted, String regex) {
        return new OptionType<>(accepted, MATCHING, regex, null);
    }

    /** Free text checked by the given rule, which returns null for a bad value; {@code accepted} says what it wants. */
    public static <T> OptionType<T> custom(String accepted, Function<String, T> parser) {
        return new OptionType<>(accepted, CUSTOM, parser, null);
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) return Long.toString(ms / 3_600_000).concat("h");
        if (ms % 60_000 == 0 && ms > 0) return Long.toString(ms / 60_000).concat("m");
        if (ms % 1000 == 0 && ms > 0) return Long.toString(ms / 1000).concat("s");
        return Long.toString(ms).concat("ms");
    }

    // Compiled at the first value parsed, not with the types: most JVMs set few options or none.
    private static final class Syntax {
        // ASCII digits only: Java's number parsers also take other scripts' digits ('５'), hex floats
        // ('0x1p1'), type suffixes ('1d', '1f') and words ('Infinity'), none of which anyone means.
        static final Pattern DURATION = Pattern.compile("([0-9]{1,19})[ \\t]*(ms|s|m|h)?");
        static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]{1,10}");
        static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]{1,20}(?:\\.[0-9]{0,20})?|\\.[0-9]{1,20})");
    }
}
