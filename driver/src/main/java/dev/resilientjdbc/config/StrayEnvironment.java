package dev.resilientjdbc.config;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * {@code RESILIENT_*} environment variables that are not options. The environment is shared with
 * everything on the host (build scripts, Kubernetes' {@code <SERVICE>_PORT} for a service named
 * resilient-…), so such a name never stops a connect: one WARNING per process names them, with the
 * closest option, and never their values (they may be secrets).
 */
final class StrayEnvironment {
    /** The one the driver uses: its warning is given once per process (per copy of the driver). */
    static final StrayEnvironment PROCESS = new StrayEnvironment(Logger.getLogger("dev.resilientjdbc.config"));

    private static final int PREFIX_LENGTH = "RESILIENT_".length();

    private final Logger log;
    private final AtomicBoolean warned = new AtomicBoolean();

    StrayEnvironment(Logger log) {
        this.log = log;
    }

    /** Logs the WARNING for {@code names} unless this instance has already given one. */
    void warnOnce(List<String> names, OptionRegistry registry) {
        if (!names.isEmpty() && warned.compareAndSet(false, true)) {
            log.warning(message(names, registry));
        }
    }

    static String message(List<String> names, OptionRegistry registry) {
        List<String> known = new ArrayList<>();
        registry.all().forEach(o -> known.add(o.environmentName()));
        StringBuilder b = new StringBuilder("resilient-jdbc: ignoring environment variable")
                .append(names.size() == 1 ? " " : "s ");
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            // Stricter than for a URL key: most of these names belong to someone else (RESILIENT_HOME is not a
            // misspelt RESILIENT_POOL), so only a near miss of a whole option name is suggested.
            String near = OptionRegistry.closest(name, known, Math.max(1, (name.length() - PREFIX_LENGTH) / 4));
            b.append(i == 0 ? "" : ", ").append(name);
            if (near != null) {
                b.append(" (did you mean ").append(near).append(", option ").append(registry.findByEnvironmentName(near).key()).append("?)");
            }
        }
        return b.append(": not resilient-jdbc options (values not shown). Option resilient.someName is read from")
                .append(" RESILIENT_SOME_NAME; other RESILIENT_* variables are left alone.").toString();
    }
}
