package dev.resilientjdbc.testkit.pg;

import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.Arrays;
import java.util.List;

/**
 * JUnit 5 extension behind {@link PgTest}: gives each test class a started {@link PgServer} and
 * injects it wherever a {@code PgServer} parameter appears (constructor, {@code @BeforeAll},
 * {@code @BeforeEach}, test methods, {@code @AfterEach}, {@code @AfterAll}).
 *
 * <p><b>Sharing.</b> By default ({@link PgSettings.Scope#CLASS}) the server lives in the top-level
 * class's store and is closed after that class, so classes never see each other's data or faults.
 * Classes annotated {@code @PgSettings(scope = SUITE)} share one server per distinct settings in the
 * root store, closed when the engine finishes; start-up costs about a second, so sharing is opt-in
 * rather than the default.
 *
 * <p><b>Healing.</b> Before each test the server is brought back if an earlier test left it paused,
 * stopped or crashed, so one test's fault never leaks into the next (data committed before a crash
 * of a non-crash-safe server may of course be gone).
 */
public final class PostgresExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server(context).ensureRunning();
        ProxyResource proxy = topLevelClassContext(context).getStore(NAMESPACE).get(ProxyResource.class, ProxyResource.class);
        if (proxy != null) {
            proxy.proxy.reset(); // one test's network fault never leaks into the next
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == PgServer.class || type == ChaosProxy.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ChaosProxy.class ? proxy(extensionContext) : server(extensionContext);
    }

    /**
     * A chaos proxy in front of the class's server, for network faults: connect through
     * {@code proxy.port()} (see {@link #proxiedUrl}). One per test class, closed after it.
     */
    public static ChaosProxy proxy(ExtensionContext context) {
        PgServer server = server(context);
        return topLevelClassContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(ProxyResource.class, k -> new ProxyResource(ChaosProxy.start(server.host(), server.port())),
                        ProxyResource.class).proxy;
    }

    /** The server's JDBC URL, but through the proxy. */
    public static String proxiedUrl(PgServer server, ChaosProxy proxy) {
        return "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + server.database();
    }

    /** The server for the test class of {@code context}, started on first use. */
    public static PgServer server(ExtensionContext context) {
        ExtensionContext classContext = topLevelClassContext(context);
        Class<?> testClass = classContext.getRequiredTestClass();
        Config config = Config.of(AnnotationSupport.findAnnotation(testClass, PgSettings.class).orElse(null));
        ExtensionContext.Store store = config.scope == PgSettings.Scope.SUITE
                ? context.getRoot().getStore(NAMESPACE)
                : classContext.getStore(NAMESPACE);
        ServerResource resource = store.getOrComputeIfAbsent(config, key -> new ServerResource(startServer(key)), ServerResource.class);
        return resource.server;
    }

    private static PgServer startServer(Config config) {
        try {
            PgServer.Builder builder = PgServer.builder()
                    .crashSafe(config.crashSafe)
                    .maxConnections(config.maxConnections)
                    .database(config.database);
            for (String setting : config.settings) {
                int eq = setting.indexOf('=');
                if (eq <= 0) {
                    throw new ExtensionConfigurationException("@PgSettings.settings entries must be key=value, got: " + setting);
                }
                builder.setting(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
            }
            return builder.start();
        } catch (RuntimeException e) {
            if (e instanceof ExtensionConfigurationException) {
                throw e;
            }
            throw new ExtensionConfigurationException("could not start embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static ExtensionContext topLevelClassContext(ExtensionContext context) {
        ExtensionContext current = context;
        ExtensionContext root = context.getRoot();
        while (current.getParent().isPresent() && current.getParent().get() != root) {
            current = current.getParent().get();
        }
        return current;
    }

    /** Store key: servers are shared only between identical settings. */
    private record Config(boolean crashSafe, int maxConnections, String database, List<String> settings, PgSettings.Scope scope) {

        static Config of(PgSettings annotation) {
            if (annotation == null) {
                return new Config(false, 100, "test", List.of(), PgSettings.Scope.CLASS);
            }
            return new Config(annotation.crashSafe(), annotation.maxConnections(), annotation.database(),
                    Arrays.asList(annotation.settings()), annotation.scope());
        }
    }

    @SuppressWarnings("deprecation")
    private static final class ProxyResource implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        private final ChaosProxy proxy;

        ProxyResource(ChaosProxy proxy) {
            this.proxy = proxy;
        }

        @Override
        public void close() {
            proxy.close();
            forgetTargets(proxy.port());
        }
    }

    // Closed by JUnit when its store is closed, whether or not the store closes plain AutoCloseables.
    @SuppressWarnings("deprecation")
    private static final class ServerResource implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        private final PgServer server;

        ServerResource(PgServer server) {
            this.server = server;
        }

        @Override
        public void close() {
            server.close();
            forgetTargets(server.port());
        }
    }

    /**
     * Closes the driver's targets at {@code port} once its server or proxy is gone: a target lives as long as the JVM
     * and keeps what it learnt of the server (the marker table there, usable or not), and a later class's server may
     * be given the same port. Each class starts from what a fresh application would.
     */
    private static void forgetTargets(int port) {
        String at = ":" + port + "/";
        for (dev.resilientjdbc.target.Target t : dev.resilientjdbc.ResilientDriver.targets().targets()) {
            if (t.guard().name().contains(at)) {
                t.close();
            }
        }
    }
}
