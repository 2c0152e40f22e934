package dev.resilientjdbc.config;

import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in URLs and properties before they reach a message, a log line or a metric name.
 * A secret value is hidden whole, as the real driver would read it: {@code &}-query drivers
 * (pgjdbc, MySQL, SQLite) end a value at the next {@code &} — {@code password=abc;x} is one password
 * to pgjdbc — and {@code ;}-parameter drivers (H2, SQL Server, Derby) at the next {@code ;}. For a
 * driver we do not know, the value is hidden up to where either convention would end it.
 */
public final class UrlMasking {
    private static final String MASK = "***";
    // the start of a key=value parameter; the key decides whether the value is a secret
    private static final Pattern PARAM_KEY = Pattern.compile("[?&;]([^=&;?]*)=");
    // user:password@ in an authority part, up to the last @ (a password may hold one)
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?#]*:)([^/?#]*)(@)");
    private static final Set<String> AMPERSAND_DRIVERS = Set.of(
            "postgresql", "pgsql", "redshift", "mysql", "mariadb", "sqlite", "clickhouse", "snowflake", "cockroachdb");
    private static final Set<String> SEMICOLON_DRIVERS = Set.of(
            "h2", "sqlserver", "jtds", "derby", "hsqldb", "db2", "informix-sqli", "sybase");

    private enum Style { AMPERSAND, SEMICOLON, EITHER }

    private UrlMasking() {}

    public static String mask(String url) {
        if (url == null) {
            return "null";
        }
        Style style = styleOf(url);
        StringBuilder out = new StringBuilder(url.length());
        Matcher m = PARAM_KEY.matcher(url);
        int copied = 0;
        int from = 0;
        while (from < url.length() && m.find(from)) {
            if (!isSecret(m.group(1))) {
                from = m.end(); // a non-secret value may itself hold ";password=" (pgjdbc reads it as part of it)
                continue;
            }
            int end = valueEnd(url, m.end(), style);
            out.append(url, copied, m.end()).append(MASK);
            copied = end;
            from = end;
        }
        out.append(url, copied, url.length());
        return USER_INFO.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3");
    }

    /** Where the value starting at {@code start} ends for the real driver. */
    private static int valueEnd(String url, int start, Style style) {
        int amp = endAt(url, '&', start);
        int semi = url.startsWith("{", start) ? endAt(url, ';', Math.max(start, endAt(url, '}', start))) : endAt(url, ';', start);
        switch (style) {
            case AMPERSAND: return amp;
            case SEMICOLON: return semi;
            default: return Math.max(amp, semi);
        }
    }

    private static int endAt(String url, char c, int from) {
        int i = url.indexOf(c, from);
        return i < 0 ? url.length() : i;
    }

    /** How the driver behind {@code url} (real or resilient) separates its parameters. */
    private static Style styleOf(String url) {
        String s = url.startsWith("jdbc:") ? url.substring(5) : url;
        s = s.startsWith("resilient:") ? s.substring(10) : s;
        int colon = s.indexOf(':');
        String sub = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        return AMPERSAND_DRIVERS.contains(sub) ? Style.AMPERSAND
                : SEMICOLON_DRIVERS.contains(sub) ? Style.SEMICOLON : Style.EITHER;
    }

    /** True when a property or parameter of this name holds a secret. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("passwd") || k.contains("pwd") || k.contains("secret")
                || k.contains("token") || k.contains("credential") || k.contains("sslkey") || k.contains("apikey");
    }

    /** Properties as text with secret values masked. */
    public static String mask(Properties p) {
        StringBuilder sb = new StringBuilder("{");
        for (String name : p.stringPropertyNames()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(name).append('=').append(isSecret(name) ? MASK : p.getProperty(name));
        }
        return sb.append('}').toString();
    }
}
