package dev.resilientjdbc.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code jdbc:resilient:<real URL without "jdbc:">} URL taken apart: the real driver's URL, with
 * every {@code resilient.*} query parameter removed, and those parameters. Everything else in the
 * URL reaches the real driver byte for byte.
 */
public final class ResilientUrl {
    public static final String PREFIX = "jdbc:resilient:";

    // A JDBC subprotocol as drivers register them: "postgresql", "sqlite", "h2", "mysql", ...
    private static final Pattern SUBPROTOCOL = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*:.*", Pattern.DOTALL);

    private final String realUrl;
    private final Map<String, String> options;

    private ResilientUrl(String realUrl, Map<String, String> options) {
        this.realUrl = realUrl;
        this.options = options;
    }

    /** True for {@code jdbc:resilient:} followed by a subprotocol and a colon (and not ourselves again). */
    public static boolean accepts(String url) {
        if (url == null || !url.startsWith(PREFIX)) {
            return false;
        }
        String rest = url.substring(PREFIX.length());
        return SUBPROTOCOL.matcher(rest).matches() && !rest.startsWith("resilient:");
    }

    /**
     * Takes a URL apart. Anything malformed after the prefix is an SQLException saying what is
     * wrong and what is accepted.
     */
    public static ResilientUrl parse(String url) throws SQLException {
        if (url == null || !url.startsWith(PREFIX)) {
            throw new SQLException("Not a resilient-jdbc URL: " + shown(url)
                    + ". Expected " + PREFIX + "<real driver URL without 'jdbc:'>, e.g. jdbc:resilient:postgresql://host/db",
                    "08001");
        }
        String rest = url.substring(PREFIX.length());
        if (rest.startsWith("resilient:")) {
            throw new SQLException("Nested resilient-jdbc URL " + shown(url)
                    + ": write the prefix jdbc:resilient: once, followed by the real driver's URL without 'jdbc:'", "08001");
        }
        if (!SUBPROTOCOL.matcher(rest).matches()) {
            throw new SQLException("Malformed resilient-jdbc URL " + shown(url)
                    + ": after 'jdbc:resilient:' comes the real driver's subprotocol and a colon,"
                    + " e.g. jdbc:resilient:postgresql://host/db or jdbc:resilient:sqlite:/path/file.db", "08001");
        }
        String real = "jdbc:" + rest;
        int q = real.indexOf('?');
        if (q < 0) {
            return new ResilientUrl(real, Collections.emptyMap());
        }
        Map<String, String> ours = new LinkedHashMap<>();
        StringBuilder kept = new StringBuilder(real.length());
        kept.append(real, 0, q);
        char separator = '?';
        for (String part : real.substring(q + 1).split("&", -1)) {
            int eq = part.indexOf('=');
            String key = decode(eq < 0 ? part : part.substring(0, eq), url);
            if (key.toLowerCase(Locale.ROOT).startsWith(Option.PREFIX)) {
                if (eq < 0) {
                    throw new SQLException("Option '" + key + "' in the URL " + shown(url)
                            + " has no value: write " + key + "=<value>", OptionRegistry.BAD_VALUE_STATE);
                }
                if (ours.put(key, decode(part.substring(eq + 1), url)) != null) {
                    throw new SQLException("Option '" + key + "' appears twice in the URL " + shown(url),
                            OptionRegistry.BAD_VALUE_STATE);
                }
            } else {
                kept.append(separator).append(part);
                separator = '&';
            }
        }
        return new ResilientUrl(kept.toString(), Collections.unmodifiableMap(ours));
    }

    /** The URL as a message shows it: masked first (so no cut can expose a secret), then shortened. */
    private static String shown(String url) {
        String masked = UrlMasking.mask(url);
        return masked.length() <= 200 ? masked : masked.substring(0, 160) + "…(" + masked.length() + " characters)";
    }

    private static String decode(String s, String url) throws SQLException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new SQLException("Malformed percent-encoding '" + OptionRegistry.shortened(s) + "' in the URL " + shown(url),
                    OptionRegistry.BAD_VALUE_STATE, e);
        }
    }

    /** The URL the real driver sees. */
    public String realUrl() {
        return realUrl;
    }

    /** The {@code resilient.*} parameters found in the query, in order, values decoded. */
    public Map<String, String> options() {
        return options;
    }

    @Override
    public String toString() {
        return UrlMasking.mask(realUrl);
    }
}
