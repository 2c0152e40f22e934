package dev.resilientjdbc.testkit.conformance;

/** A JDBC call whose result, or whose exception, is an observation. */
@FunctionalInterface
public interface SqlCall<T> {
    T call() throws Exception;
}
