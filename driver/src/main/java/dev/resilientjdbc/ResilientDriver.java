package dev.resilientjdbc;

import dev.resilientjdbc.config.ConfigResolver;
import dev.resilientjdbc.config.Option;
import dev.resilientjdbc.config.ResilientConfig;
import dev.resilientjdbc.config.ResilientOptions;
import dev.resilientjdbc.config.ResilientUrl;
import dev.resilientjdbc.config.UrlMasking;
import dev.resilientjdbc.target.TargetRegistry;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The {@code jdbc:resilient:} driver. It finds the real driver for the URL behind the prefix among
 * the registered ones (never itself), opens the real connection and hands the application a proxy.
 */
public final class ResilientDriver implements Driver {
    static final String LOGGER_NAME = "dev.resilientjdbc";
    private static final ResilientDriver INSTANCE = new ResilientDriver();
    private static final ReentrantLock REGISTRATION = new ReentrantLock();
    private static volatile boolean registered;
    // Owns every target this driver made and what they started; closed on deregistration.
    private static final TargetRegistry TARGETS = new TargetRegistry();

    static {
        register();
    }

    /** Registers the driver with DriverManager; does nothing when it is already registered. */
    public static void register() {
        REGISTRATION.lock();
        try {
            if (!registered) {
                DriverManager.registerDriver(INSTANCE, ResilientDriver::onDeregistered);
                registered = true;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register " + ResilientDriver.class.getName(), e);
        } finally {
            REGISTRATION.unlock();
        }
    }

    /** Removes the driver from DriverManager (for example when a web application is undeployed). */
    public static void deregister() throws SQLException {
        REGISTRATION.lock();
        try {
            if (registered) {
                DriverManager.deregisterDriver(INSTANCE);
                registered = false;
            }
            Targets.clear();
            TARGETS.close();
            forgetClasses();
        } finally {
            REGISTRATION.unlock();
        }
    }

    /**
     * The targets this driver connected to, with their breakers, counters, pools, metrics and health
     * checks. {@code targets().close()} closes all of it (pools included) without deregistering the driver.
     */
    public static TargetRegistry targets() {
        return TARGETS;
    }

    public static boolean isRegistered() {
        return registered;
    }

    private static void onDeregistered() {
        registered = false;
        Targets.clear();
        TARGETS.close(); // an undeployed application's pools, metrics and health checks must not outlive it
        forgetClasses();
    }

    // Entries we left on the real driver's classes (which a container may load in a parent loader).
    private static void forgetClasses() {
        dev.resilientjdbc.proxy.ProxyFactory.forgetClasses();
        dev.resilientjdbc.dialect.PostgresInDoubt.forgetClasses();
    }

    @Override
    public boolean acceptsURL(String url) {
        return ResilientUrl.accepts(url);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (url == null || !url.startsWith(ResilientUrl.PREFIX)) {
            return null; // not ours: DriverManager asks every driver
        }
        Targets.Key key = Targets.key(url, info);
        Assembly.PhysicalSource known = Targets.get(key);
        if (known != null) {
            return known.open();
        }
        Assembly.PhysicalSource target = resolve(url, info);
        Connection first = target.open();
        // Cached only once a connection was made: a target whose configuration or driver is wrong fails every time.
        Targets.put(key, target);
        return first;
    }

    /**
     * Works out the target of a {@code jdbc:resilient:} URL with these properties (configuration, real
     * driver, retry policies) and returns how to open connections to it: resilient ones, or with
     * {@code resilient.enabled=false} the real driver's own.
     */
    static Assembly.PhysicalSource resolve(String url, Properties info) throws SQLException {
        ResilientUrl parsed = ResilientUrl.parse(url);
        ResilientConfig config = ConfigResolver.fromJvm().resolve(parsed.options(), info);
        String realUrl = parsed.realUrl();
        Driver real = findRealDriver(realUrl);
        Properties realInfo = ConfigResolver.stripped(info);
        if (!config.get(ResilientOptions.ENABLED)) {
            return () -> open(real, realUrl, realInfo);
        }
        Assembly.PhysicalSource physical = Assembly.physicalSource(config, realUrl, realInfo, real, true,
                (physicalUrl, physicalInfo) -> open(real, physicalUrl, physicalInfo));
        return Assembly.recipe(TARGETS, config, realUrl, realInfo, physical)::connect;
    }

    private static Connection open(Driver real, String realUrl, Properties realInfo) throws SQLException {
        Connection connection = real.connect(realUrl, realInfo);
        if (connection == null) {
            throw new SQLException("The driver " + real.getClass().getName() + " accepted the URL "
                    + UrlMasking.mask(realUrl) + " but returned no connection", "08001");
        }
        return connection;
    }

    /** The driver that accepts {@code realUrl}: never this driver, nor a copy of it from another class loader. */
    static Driver findRealDriver(String realUrl) throws SQLException {
        List<String> tried = new ArrayList<>();
        for (Enumeration<Driver> e = DriverManager.getDrivers(); e.hasMoreElements(); ) {
            Driver found = check(e.nextElement(), realUrl, tried);
            if (found != null) {
                return found;
            }
        }
        // Drivers visible only to the application's class loader (a servlet container's web app).
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            try {
                for (Driver d : ServiceLoader.load(Driver.class, context)) {
                    Driver found = check(d, realUrl, tried);
                    if (found != null) {
                        return found;
                    }
                }
            } catch (ServiceConfigurationError ignored) {
                // a broken provider entry elsewhere on the class path; the error below names what was tried
            }
        }
        throw new SQLException("No JDBC driver accepts the URL " + UrlMasking.mask(realUrl)
                + " (from " + ResilientUrl.PREFIX + "...). Drivers tried: "
                + (tried.isEmpty() ? "none registered" : String.join(", ", tried))
                + ". Put the real driver's jar (for example org.postgresql:postgresql or org.xerial:sqlite-jdbc)"
                + " on the class path.", "08001");
    }

    private static Driver check(Driver d, String realUrl, List<String> tried) {
        if (d instanceof ResilientDriver || d.getClass().getName().equals(ResilientDriver.class.getName())) {
            return null;
        }
        String name = d.getClass().getName();
        if (!tried.contains(name)) {
            tried.add(name);
        }
        try {
            return d.acceptsURL(realUrl) ? d : null;
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        List<DriverPropertyInfo> out = new ArrayList<>();
        Properties given = info == null ? new Properties() : info;
        ResilientUrl parsed = url != null && url.startsWith(ResilientUrl.PREFIX) ? ResilientUrl.parse(url) : null;
        for (Option<?> o : ResilientOptions.REGISTRY.all()) {
            String value = parsed != null && parsed.options().containsKey(o.key()) ? parsed.options().get(o.key())
                    : given.getProperty(o.key(), o.defaultText());
            boolean hidden = UrlMasking.isSecret(o.key()) && value != null && !value.equals(o.defaultText());
            DriverPropertyInfo p = new DriverPropertyInfo(o.key(), hidden ? "***" : value);
            p.description = o.description() + ". Accepts " + o.type().accepted() + ". Default " + o.defaultText() + ".";
            p.required = false;
            out.add(p);
        }
        if (parsed != null) {
            DriverPropertyInfo[] theirs = findRealDriver(parsed.realUrl())
                    .getPropertyInfo(parsed.realUrl(), ConfigResolver.stripped(given));
            if (theirs != null) {
                out.addAll(List.of(theirs));
            }
        }
        return out.toArray(new DriverPropertyInfo[0]);
    }

    @Override
    public int getMajorVersion() {
        return Version.MAJOR;
    }

    @Override
    public int getMinorVersion() {
        return Version.MINOR;
    }

    /** Not claimed: compliance is the real driver's, and we cannot vouch for it. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger(LOGGER_NAME);
    }
}
