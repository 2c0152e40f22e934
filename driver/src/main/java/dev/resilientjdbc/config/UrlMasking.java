package dev.resilientjdbc.config;

import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hides secrets in URLs and properties before they reach a message, a log line or a metric name. */
public final class UrlMasking {
    private static final String MASK = "***";
    // key=value pairs in a query or ;-separated parameter list whose key names a secret
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "([?&;](?:[^=&;?]*(?:password|passwd|pwd|secret|token|credential|sslkey|apikey)[^=&;?]*)=)([^&;]*)",
            Pattern.CASE_INSENSITIVE);
    // user:password@ in an authority part
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?#]*:)([^@/?#]*)(@)");

    private UrlMasking() {}

    public static String mask(String url) {
        if (url == null) {
            return "null";
        }
        String s = SECRET_PARAM.matcher(url).replaceAll("$1" + Matcher.quoteReplacement(MASK));
        return USER_INFO.matcher(s).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3");
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
