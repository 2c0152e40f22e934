package dev.resilientjdbc.classify;

import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The user's own failure classes, winning over the dialect's: by exact SQLState, by two-character
 * SQLState class, or by vendor code. Written {@code 57014=FATAL,08=CONNECTION,code:517=TRANSACTION}.
 */
public final class ClassOverrides {
    public static final String ACCEPTED = "a comma-separated list of SQLSTATE=CLASS (five characters), CC=CLASS"
            + " (a two-character SQLState class) or code:N=CLASS (vendor code), where CLASS is one of"
            + " connection, transaction, busy, resource, read_only, fatal";
    public static final ClassOverrides NONE = new ClassOverrides(Map.of(), Map.of(), Map.of());

    private final Map<String, FailureClass> byState;
    private final Map<String, FailureClass> byStateClass;
    private final Map<Integer, FailureClass> byCode;

    private ClassOverrides(Map<String, FailureClass> byState, Map<String, FailureClass> byStateClass,
                           Map<Integer, FailureClass> byCode) {
        this.byState = byState;
        this.byStateClass = byStateClass;
        this.byCode = byCode;
    }

    /** Parses the option's text; the message of a failure says which entry is wrong and why. */
    public static ClassOverrides parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        Map<String, FailureClass> states = new LinkedHashMap<>();
        Map<String, FailureClass> classes = new LinkedHashMap<>();
        Map<Integer, FailureClass> codes = new LinkedHashMap<>();
        for (String raw : text.split(",")) {
            String entry = raw.trim();
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("entry " + quoted(entry) + " is not KEY=CLASS");
            }
            String key = entry.substring(0, eq).trim().toUpperCase(Locale.ROOT);
            FailureClass fc = failureClass(entry.substring(eq + 1).trim());
            FailureClass before;
            if (key.startsWith("CODE:")) {
                String n = key.substring(5).trim();
                try {
                    // ASCII digits only: Integer.parseInt would also take '５'
                    if (!Syntax.CODE.matcher(n).matches()) {
                        throw new NumberFormatException(n);
                    }
                    before = codes.put(Integer.parseInt(n), fc);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(quoted(key.substring(5)) + " in entry " + quoted(entry) + " is not a whole number");
                }
            } else if (Syntax.STATE.matcher(key).matches()) {
                before = states.put(key, fc);
            } else if (Syntax.STATE_CLASS.matcher(key).matches()) {
                before = classes.put(key, fc);
            } else {
                throw new IllegalArgumentException(quoted(key) + " in entry " + quoted(entry)
                        + " is neither a five-character SQLState, a two-character SQLState class, nor code:N");
            }
            if (before != null) {
                throw new IllegalArgumentException(quoted(key) + " is given twice; which class should win?");
            }
        }
        return new ClassOverrides(Collections.unmodifiableMap(states), Collections.unmodifiableMap(classes),
                Collections.unmodifiableMap(codes));
    }

    private static FailureClass failureClass(String name) {
        for (FailureClass c : FailureClass.values()) {
            if (c.name().equalsIgnoreCase(name) || c.name().replace("_", "").equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(quoted(name) + " is not a failure class");
    }

    /** A piece of the value as a message quotes it: a huge one would bury what the message says. */
    private static String quoted(String piece) {
        return "'" + (piece.length() <= 80 ? piece : piece.substring(0, 60) + "…(" + piece.length() + " characters)") + "'";
    }

    // Compiled at the first parse, not when NONE is made: the java agent makes it before main, where a
    // JVM's first regular expressions cost milliseconds, and most applications never set overrides.
    private static final class Syntax {
        static final Pattern STATE = Pattern.compile("[0-9A-Z]{5}");
        static final Pattern STATE_CLASS = Pattern.compile("[0-9A-Z]{2}");
        static final Pattern CODE = Pattern.compile("-?[0-9]{1,10}");
    }

    public boolean isEmpty() {
        return byState.isEmpty() && byStateClass.isEmpty() && byCode.isEmpty();
    }

    /** The user's class for {@code e}, or null: exact SQLState first, then vendor code, then SQLState class. */
    FailureClass lookup(SQLException e) {
        String state = e.getSQLState();
        if (state != null) {
            FailureClass c = byState.get(state.toUpperCase(Locale.ROOT));
            if (c != null) {
                return c;
            }
        }
        FailureClass c = byCode.get(e.getErrorCode());
        if (c != null) {
            return c;
        }
        return state != null && state.length() >= 2 ? byStateClass.get(state.substring(0, 2).toUpperCase(Locale.ROOT)) : null;
    }

    @Override
    public String toString() {
        return "ClassOverrides{states=" + byState + ", classes=" + byStateClass + ", codes=" + byCode + "}";
    }
}
