package dev.resilientjdbc.testkit.conformance;

import dev.resilientjdbc.proxy.ResilientProxy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a scenario works with during one run: the connection (raw or proxied), the observation log,
 * and the checks that apply to one side only (what must be a proxy on the proxied side and must not
 * be one on the raw side). Owns every connection it opens and closes them when the run ends.
 */
public final class Probe implements AutoCloseable {
    private final Target target;
    private final boolean proxied;
    private final Connection connection;
    private final Observations log = new Observations();
    private final List<Connection> opened = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    Probe(Target target, boolean proxied) throws SQLException {
        this.target = target;
        this.proxied = proxied;
        this.connection = openAnother();
    }

    /** The run's connection: the real driver's on the raw run, a resilient-jdbc proxy on the other. */
    public Connection connection() {
        return connection;
    }

    /** The URL this run connects with: the real driver's, or the same under {@code jdbc:resilient:}. */
    public String url() {
        return proxied ? target.resilientUrl() : target.rawUrl();
    }

    /** The properties both runs connect with. */
    public java.util.Properties properties() {
        return target.properties();
    }

    public boolean proxied() {
        return proxied;
    }

    public Observations log() {
        return log;
    }

    /** A further connection of the same kind (raw or proxied), closed when the run ends. */
    public Connection openAnother() throws SQLException {
        Connection c = target.open(proxied);
        opened.add(c);
        return c;
    }

    /**
     * Requires {@code o} to be one of our proxies on the proxied run and not one on the raw run: every
     * JDBC object the application can reach through resilient-jdbc must be a proxy, or a reconnect
     * would leave the application holding a dead real object.
     */
    public void reachable(String what, Object o) {
        if (o == null) {
            return;
        }
        boolean isProxy = o instanceof ResilientProxy;
        if (isProxy != proxied) {
            violations.add(what + (proxied ? " is not a ResilientProxy but " : " is a ResilientProxy on the raw run: ")
                    + o.getClass().getName());
        }
    }

    /** Records a failed side-specific expectation without stopping the scenario. */
    public void require(String what, boolean holds) {
        if (!holds) {
            violations.add(what);
        }
    }

    List<String> violations() {
        return Collections.unmodifiableList(violations);
    }

    @Override
    public void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (SQLException | RuntimeException ignored) {
                // a scenario may have closed or broken it on purpose
            }
        }
        opened.clear();
    }
}
