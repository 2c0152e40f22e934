package dev.resilientjdbc.demo;

import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.control.chaos.ChaosProxy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL the user runs ({@code --url jdbc:postgresql://host:port/db?...}), with the chaos
 * proxy in front of host:port. Only faults made from outside are possible: terminating the demo's
 * own sessions (by {@code application_name}, never anyone else's) and cutting the TCP path.
 */
final class ExternalPg implements PgTarget {
    // jdbc:postgresql://authority/path?query, or jdbc:postgresql:database
    private static final Pattern URL = Pattern.compile("(?i)jdbc:postgresql:(?://([^/?]*))?([^?]*)(\\?.*)?");
    private static final Pattern AUTHORITY = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]]+)(?::(\\d{1,5}))?");
    static final String ACCEPTED = "jdbc:postgresql://host[:port]/database[?parameters] or jdbc:sqlite:PATH";

    private final String url;
    private final String host;
    private final int port;
    private final String path;
    private final String query;
    private ChaosProxy proxy;
    private String version = "?";
    private String user = "?";
    private boolean mayTerminate;
    private boolean mayShortenDeadlockTimeout;

    private ExternalPg(String url, String host, int port, String path, String query) {
        this.url = url;
        this.host = host;
        this.port = port;
        this.path = path;
        this.query = query;
    }

    /** Checks the URL's shape only. @throws IllegalArgumentException saying what is wrong and what is accepted */
    static ExternalPg parse(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a PostgreSQL URL: " + UrlMasking.mask(url) + "; accepted: " + ACCEPTED);
        }
        String authority = m.group(1) == null ? "" : m.group(1);
        String path = m.group(2);
        if (m.group(1) == null || path.isEmpty()) {
            path = "/" + path; // jdbc:postgresql:database, or no database (the server picks the user's)
        }
        String query = m.group(3) == null ? "" : m.group(3);
        if (authority.contains(",")) {
            throw new IllegalArgumentException("--url names several hosts (" + authority + "): give one host[:port], the chaos proxy sits in front of it");
        }
        String host = "localhost";
        int port = 5432;
        if (!authority.isEmpty()) {
            Matcher a = AUTHORITY.matcher(authority);
            if (!a.matches() || authority.contains("@")) {
                throw new IllegalArgumentException("--url: '" + UrlMasking.mask(authority) + "' is not host[:port]; accepted: " + ACCEPTED);
            }
            host = a.group(1).startsWith("[") ? a.group(1).substring(1, a.group(1).length() - 1) : a.group(1);
            if (a.group(2) != null) {
                port = Integer.parseInt(a.group(2));
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("--url: port " + port + " is not from 1 to 65535");
                }
            }
        }
        return new ExternalPg(url, host, port, path, query);
    }

    /** Connects once to learn the server and the user's privileges, then puts the proxy in front. */
    ExternalPg open() throws SQLException {
        try (Connection c = direct(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), current_user,"
                     + " coalesce(bool_and(has_function_privilege(p.oid, 'EXECUTE')), false)"
                     + " FROM pg_catalog.pg_proc p WHERE p.proname = 'pg_terminate_backend'")) {
            rs.next();
            version = rs.getString(1);
            user = rs.getString(2);
            mayTerminate = rs.getBoolean(3);
        }
        // deadlock_timeout is a superuser setting: a short one finds deadlocks fast, the default (1 s) finds them too.
        try (Connection c = DriverManager.getConnection(withParams(url, "options=-c%20deadlock_timeout%3D50ms"))) {
            mayShortenDeadlockTimeout = c.isValid(5);
        } catch (SQLException e) {
            mayShortenDeadlockTimeout = false;
        }
        proxy = ChaosProxy.start(host, port);
        return this;
    }

    String server() {
        return "PostgreSQL " + version + " as " + user;
    }

    /** Why terminating is not possible, or null. */
    String terminateNotice() {
        return mayTerminate ? null : user + " may not execute pg_terminate_backend (EXECUTE was revoked)";
    }

    @Override
    public String label() {
        return UrlMasking.mask(url) + " (" + server() + "; chaos proxy on " + proxy.port() + ")";
    }

    @Override
    public String clientUrl() {
        return withParams("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + path + query,
                "connectTimeout=5&socketTimeout=10&loginTimeout=10&ApplicationName=" + APP_NAME);
    }

    @Override
    public String deadlockUrl() {
        return mayShortenDeadlockTimeout ? withParams(clientUrl(), "options=-c%20deadlock_timeout%3D50ms") : clientUrl();
    }

    @Override
    public ChaosProxy proxy() {
        return proxy;
    }

    @Override
    public Connection direct() throws SQLException {
        return DriverManager.getConnection(withParams(url, "ApplicationName=" + APP_NAME + "-admin"));
    }

    @Override
    public String title(Fault fault) {
        return fault == Fault.TERMINATE ? "terminate the demo's backends" : fault.title;
    }

    @Override
    public Set<Fault> possible() {
        return EnumSet.of(Fault.TERMINATE, Fault.CUT);
    }

    @Override
    public void prepare() {
        proxy.reset();
    }

    @Override
    public String strike(Fault fault) throws SQLException {
        switch (fault) {
            case CUT -> proxy.cutAll();
            case TERMINATE -> {
                if (!mayTerminate) {
                    return terminateNotice();
                }
                // Only the demo's own sessions: on a shared server, nobody else's connection is touched.
                try (Connection c = direct(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                             + " WHERE application_name = '" + APP_NAME + "' AND datname = current_database() AND pid <> pg_backend_pid()")) {
                    rs.next();
                } catch (SQLException e) {
                    if ("42501".equals(e.getSQLState())) {
                        return user + " may not terminate these sessions (" + e.getMessage() + ")";
                    }
                    throw e;
                }
            }
            default -> throw new IllegalStateException(fault.option + " needs the embedded server");
        }
        return null;
    }

    @Override
    public void close() {
        if (proxy != null) {
            proxy.close();
        }
    }

    static String withParams(String url, String params) {
        return url + (url.indexOf('?') >= 0 ? "&" : "?") + params;
    }
}
