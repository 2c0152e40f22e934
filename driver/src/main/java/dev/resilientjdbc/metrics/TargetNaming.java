package dev.resilientjdbc.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name a target goes by in metric names, JMX names, {@code /metrics} and {@code /health}.
 * Built from an allow-list only — subprotocol, host, port, database — never from the rest of the
 * URL: drivers put user, password and keys in places we cannot know ({@code ?password=},
 * {@code ;PASSWORD=}, {@code user:pw@}, Oracle's {@code scott/tiger@}), so what is not recognised
 * as one of the four is left out instead of masked.
 */
final class TargetNaming {
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]+");
    // A host name, an IPv4 address or a bracketed IPv6 address; anything else is not a host.
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    // A database name or a file path; no '=' (a parameter), no '@' or '/'-pairs carrying credentials.
    private static final Pattern DATABASE = Pattern.compile("[\\p{L}\\p{N}._~/:+-]+");
    private static final Pattern SUBPROTOCOL = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private TargetNaming() {}

    /** {@code jdbc:postgresql://db1:5432/app?user=x} → {@code postgresql_db1_5432_app}. */
    static String of(String realUrl) {
        String s = realUrl.startsWith("jdbc:") ? realUrl.substring(5) : realUrl;
        int colon = s.indexOf(':');
        String sub = colon < 0 ? s : s.substring(0, colon);
        String rest = colon < 0 ? "" : s.substring(colon + 1);
        List<String> parts = new ArrayList<>();
        parts.add(SUBPROTOCOL.matcher(sub).matches() ? sub : "jdbc");
        // Everything after the first '?', ';', '#' or '&' is parameters, which are never part of a name, except
        // the one parameter that names the database where a driver puts it there (SQL Server's ;databaseName=).
        String databaseParameter = databaseParameter(rest);
        rest = rest.split("[?;#&]", 2)[0];
        if (rest.startsWith("//")) {
            String afterSlashes = rest.substring(2);
            int slash = afterSlashes.indexOf('/');
            String authority = slash < 0 ? afterSlashes : afterSlashes.substring(0, slash);
            authority = authority.substring(authority.lastIndexOf('@') + 1); // user:password@ never
            for (String hostPort : authority.split(",")) {
                addHostPort(parts, hostPort);
            }
            String path = slash < 0 ? "" : afterSlashes.substring(slash + 1);
            addDatabase(parts, path.isEmpty() && databaseParameter != null ? databaseParameter : path);
        } else {
            // user/password@host:port/db (Oracle and others): only what follows the credentials
            int at = rest.lastIndexOf('@');
            addDatabase(parts, at < 0 ? rest : rest.substring(at + 1));
        }
        String name = UNSAFE.matcher(String.join(":", parts).replace('.', '_')).replaceAll("_")
                .replaceAll("^_+|_+$", "");
        return name.toLowerCase(Locale.ROOT);
    }

    /** The value of a {@code ;databaseName=} or {@code ;database=} segment, the last one as drivers read it; else null. */
    private static String databaseParameter(String rest) {
        String found = null;
        // SQL Server quotes values in braces ({a;database=b} is one password): nothing inside braces counts.
        String[] segments = rest.replaceAll("\\{[^}]*}?", "{}").split(";");
        for (int i = 1; i < segments.length; i++) {
            int eq = segments[i].indexOf('=');
            String key = eq < 0 ? "" : segments[i].substring(0, eq).strip();
            if (key.equalsIgnoreCase("databaseName") || key.equalsIgnoreCase("database")) {
                found = segments[i].substring(eq + 1).strip();
            }
        }
        return found;
    }

    private static void addHostPort(List<String> parts, String hostPort) {
        String host = hostPort;
        String port = "";
        int c = hostPort.lastIndexOf(':');
        if (c >= 0 && hostPort.indexOf(']', c) < 0) {
            host = hostPort.substring(0, c);
            port = hostPort.substring(c + 1);
        }
        if (HOST.matcher(host).matches()) {
            parts.add(host);
        }
        if (PORT.matcher(port).matches()) {
            parts.add(port);
        }
    }

    private static void addDatabase(List<String> parts, String database) {
        if (DATABASE.matcher(database).matches()) {
            parts.add(database);
        }
    }
}
