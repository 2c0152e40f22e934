package dev.resilientjdbc.config;

import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Looks options up by key or environment name, and finds the closest key for a misspelled one. */
public final class OptionRegistry {
    /** SQLState for a key we do not know (ODBC: invalid attribute/option identifier). */
    public static final String UNKNOWN_OPTION_STATE = "HY092";
    /** SQLState for a value of the wrong type or range (ODBC: invalid attribute value). */
    public static final String BAD_VALUE_STATE = "HY024";

    private final List<Option<?>> options;
    private final Map<String, Option<?>> byKey = new LinkedHashMap<>();
    // Made at the first lookup, not with the registry (which the java agent builds before main): most
    // JVMs set no RESILIENT_* variable, and spelling every name out in the interpreter is not free.
    private volatile Map<String, Option<?>> byEnvironmentName;

    public OptionRegistry(List<Option<?>> options) {
        this.options = List.copyOf(options);
        for (Option<?> o : this.options) {
            if (byKey.put(o.key(), o) != null) {
                throw new IllegalArgumentException("option declared twice: " + o.key());
            }
        }
    }

    public List<Option<?>> all() {
        return Collections.unmodifiableList(options);
    }

    public Option<?> find(String key) {
        return byKey.get(key);
    }

    public Option<?> findByEnvironmentName(String name) {
        Map<String, Option<?>> byName = byEnvironmentName;
        if (byName == null) {
            byName = new HashMap<>();
            for (Option<?> o : options) {
                byName.put(o.environmentName(), o);
            }
            byEnvironmentName = byName; // threads that race here build equal maps
        }
        return byName.get(name);
    }

    /** The option named by {@code key}, or an SQLException naming it and suggesting the closest known key. */
    public Option<?> require(String key, OptionSource source) throws SQLException {
        Option<?> o = byKey.get(key);
        if (o != null) {
            return o;
        }
        String closest = closest(key, byKey.keySet());
        throw new SQLException("Unknown option '" + key + "' in " + source.description()
                + (closest == null ? "" : "; did you mean '" + closest + "'?")
                + " Known options: " + String.join(", ", byKey.keySet()), UNKNOWN_OPTION_STATE);
    }

    /** Parses {@code text} for {@code option}, or throws an SQLException naming key, value and what is accepted. */
    public static <T> T parse(Option<T> option, String text, OptionSource source, boolean secret) throws SQLException {
        String detail = "";
        T value = null;
        try {
            value = text == null ? null : option.type().parse(text);
        } catch (IllegalArgumentException e) {
            // a type's message may quote the value: cut it as the value itself is cut
            detail = secret ? "" : " (" + shortened(e.getMessage(), 400) + ")";
        }
        if (value == null) {
            String shown = secret ? "***" : "'" + shortened(text) + "'";
            throw new SQLException("Bad value " + shown + " for option '" + option.key() + "' in "
                    + source.description() + detail + ": expected " + option.type().accepted(), BAD_VALUE_STATE);
        }
        return value;
    }

    /** A value as a message shows it: a huge one would bury what the message says. */
    static String shortened(String text) {
        return shortened(text, 80);
    }

    private static String shortened(String text, int max) {
        return text == null || text.length() <= max ? text
                : text.substring(0, max * 3 / 4) + "…(" + text.length() + " characters)";
    }

    /** The candidate nearest to {@code name} by edit distance, ignoring case, or null when none is close. */
    static String closest(String name, Iterable<String> candidates) {
        return closest(name, candidates, Math.max(3, name.length() / 3));
    }

    /** As above, with the largest edit distance that still counts as close. */
    static String closest(String name, Iterable<String> candidates, int maxDistance) {
        String wanted = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(wanted, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= maxDistance ? best : null;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
