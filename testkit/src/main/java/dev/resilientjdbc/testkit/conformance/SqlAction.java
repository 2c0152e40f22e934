package dev.resilientjdbc.testkit.conformance;

/** A JDBC call without a result whose exception, if any, is an observation. */
@FunctionalInterface
public interface SqlAction {
    void run() throws Exception;
}
