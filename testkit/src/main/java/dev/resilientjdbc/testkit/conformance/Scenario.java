package dev.resilientjdbc.testkit.conformance;

/**
 * One JDBC usage pattern. It acts on {@link Probe#connection()} and records what it observes in
 * {@link Probe#log()}; it must not record anything that legitimately differs between a raw and a
 * proxied object (class names of JDBC objects, identity hash codes, backend pids).
 */
@FunctionalInterface
public interface Scenario {
    void run(Probe probe) throws Exception;
}
