package dev.resilientjdbc.util;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a statement's text tells: whether it only reads, and whether it changes session state (a
 * {@code SET}) a new connection would not have. Conservative: anything it cannot be sure
 * of counts as a write, so a lost reply to it is never retried blind. A SELECT that calls a
 * function with side effects is the one case text cannot reveal (documented in docs/RECOVERY.md).
 */
public final class SqlText {
    private static final Pattern WRITE_WORD = Pattern.compile(
            "\\b(insert|update|delete|merge|into|create|alter|drop|truncate|grant|revoke|call|do|copy|lock|nextval|setval"
                    + "|pg_advisory_lock|pg_advisory_xact_lock|lo_\\w+|pg_terminate_backend|pg_cancel_backend|set_config|vacuum)\\b");

    // Asked on every statement of a transaction and every SQLite write check: a regular expression each time cost
    // more than the statement itself on an in-memory database. Applications repeat their SQL; bounded all the same,
    // evicting one text at a time and sparing those in use (it used to empty itself at the bound, so an application
    // with more distinct texts than that parsed all of them again, its hot ones too).
    static final int CACHE_MAX = 4096;
    private static final ClockCache<String, Facts> FACTS = new ClockCache<>(CACHE_MAX);

    private SqlText() {}

    /**
     * What a statement does to PostgreSQL session state that a new connection would not have: a
     * session-level {@code SET}, a {@code RESET}, or {@code DISCARD ALL}; {@link SessionChange#NONE}
     * for everything else, including {@code SET LOCAL}, {@code SET TRANSACTION} (they end with the
     * transaction) and several statements in one string (running them again could repeat a write).
     */
    public static SessionChange sessionChange(String sql) {
        return sql == null ? SessionChange.NONE : facts(sql).sessionChange;
    }

    /** What the text says, worked out once per SQL string (bounded): both answers are asked on every execute. */
    private static Facts facts(String sql) {
        Facts known = FACTS.get(sql);
        if (known != null) {
            return known;
        }
        Facts f = new Facts(decide(sql), SessionChange.of(sql), lockingRead(sql));
        FACTS.put(sql, f);
        return f;
    }

    /** How many texts are kept now (for tests). */
    static int cached() {
        return FACTS.size();
    }

    /** Whether the facts of {@code sql} are kept now, without marking them read (for tests). */
    static boolean isCached(String sql) {
        return FACTS.contains(sql);
    }

    private static final class Facts {
        final boolean readOnly;
        final SessionChange sessionChange;
        final boolean lockingRead;

        Facts(boolean readOnly, SessionChange sessionChange, boolean lockingRead) {
            this.readOnly = readOnly;
            this.sessionChange = sessionChange;
            this.lockingRead = lockingRead;
        }
    }

    /** A session-state change made with SQL, keyed by the setting it changes. */
    public static final class SessionChange {
        public static final SessionChange NONE = new SessionChange(Kind.NONE, null);

        public enum Kind { NONE, SET, RESET, RESET_ALL }

        public final Kind kind;
        /** The setting's name, lower case ({@code search_path}, {@code role}, {@code time zone}...); null for NONE and RESET_ALL. */
        public final String name;

        private SessionChange(Kind kind, String name) {
            this.kind = kind;
            this.name = name;
        }

        static SessionChange of(String sql) {
            String s = stripLeading(sql).trim();
            while (s.endsWith(";")) {
                s = s.substring(0, s.length() - 1).trim();
            }
            if (withoutLiterals(s).indexOf(';') >= 0) {
                return NONE;
            }
            String[] w = s.toLowerCase(Locale.ROOT).split("\\s+", 4);
            switch (w[0]) {
                case "set":
                    if (w.length < 2 || w[1].equals("local") || w[1].equals("transaction")) {
                        return NONE;
                    }
                    int i = w[1].equals("session") ? 2 : 1;
                    if (w.length <= i) {
                        return NONE;
                    }
                    return new SessionChange(Kind.SET, canonical(w[i]));
                case "reset":
                    if (w.length < 2) {
                        return NONE;
                    }
                    return w[1].equals("all") ? new SessionChange(Kind.RESET_ALL, null)
                            : new SessionChange(Kind.RESET, canonical(w[1].equals("session") && w.length > 2 ? w[2] : w[1]));
                case "discard":
                    return w.length >= 2 && w[1].equals("all") ? new SessionChange(Kind.RESET_ALL, null) : NONE;
                default:
                    return NONE;
            }
        }

        /** One name per setting, whichever way the statement spelt it. */
        private static String canonical(String word) {
            int eq = word.indexOf('=');
            String name = eq >= 0 ? word.substring(0, eq) : word;
            switch (name) {
                case "schema":
                    return "search_path";
                case "time":
                    return "timezone"; // SET TIME ZONE / RESET TIME ZONE
                case "authorization":
                    return "session authorization"; // SET SESSION AUTHORIZATION
                case "characteristics":
                    return "session characteristics"; // SET SESSION CHARACTERISTICS AS TRANSACTION ...
                default:
                    return name;
            }
        }
    }

    private static final Pattern LOCKING_CLAUSE = Pattern.compile("\\bfor\\s+(no\\s+key\\s+update|update|key\\s+share|share)\\b");

    /**
     * True for a SELECT (or WITH ... SELECT) that would only read but for its locking clauses (FOR UPDATE, FOR NO KEY
     * UPDATE, FOR SHARE, FOR KEY SHARE). In autocommit its locks end with its own statement, so running it again
     * changes nothing; inside a transaction the locks matter, and it stays a write there.
     */
    public static boolean isLockingRead(String sql) {
        return sql != null && facts(sql).lockingRead; // asked on every exactly-once execute: worked out once per text
    }

    private static boolean lockingRead(String sql) {
        String s = stripLeading(sql).toLowerCase(Locale.ROOT);
        String first = firstWord(s);
        if (!first.equals("select") && !first.equals("with")) {
            return false;
        }
        String bare = withoutLiterals(s);
        java.util.regex.Matcher m = LOCKING_CLAUSE.matcher(bare);
        if (!m.find()) {
            return false;
        }
        return !WRITE_WORD.matcher(m.reset().replaceAll(" ")).find();
    }

    /** True when the statement only reads: SELECT/VALUES/SHOW/TABLE/EXPLAIN (without ANALYZE) or a read-only WITH. */
    public static boolean isReadOnly(String sql) {
        return sql != null && facts(sql).readOnly;
    }

    private static boolean decide(String sql) {
        String s = stripLeading(sql).toLowerCase(Locale.ROOT);
        String first = firstWord(s);
        switch (first) {
            case "select":
            case "with":
            case "values":
            case "table":
            case "show":
                return !WRITE_WORD.matcher(withoutLiterals(s)).find();
            case "explain":
                return !s.contains("analyze") && !s.contains("analyse");
            default:
                return false;
        }
    }

    /** Drops leading white space, comments and opening parentheses. */
    static String stripLeading(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return sql.substring(i);
    }

    private static String firstWord(String s) {
        int i = 0;
        while (i < s.length() && Character.isLetter(s.charAt(i))) {
            i++;
        }
        return s.substring(0, i);
    }

    // String literals and quoted identifiers may contain any word; they say nothing about writing.
    private static String withoutLiterals(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                sb.append(' ');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
