package dev.resilientjdbc.demo;

import dev.resilientjdbc.control.chaos.ChaosProxy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The PostgreSQL the ledger runs against, with a chaos proxy in front of it: the embedded server
 * (every fault) or one given with {@code --url} (only the faults that can be made from outside).
 */
interface PgTarget extends AutoCloseable {
    /** The {@code application_name} of the workload's sessions: the external target terminates only these. */
    String APP_NAME = "resilient-demo";

    /** Where it is, for people; never with a password. */
    String label();

    /** A plain {@code jdbc:postgresql:} URL through the chaos proxy, with timeouts so that a raw client cannot hang on a dead path. */
    String clientUrl();

    /** A plain URL for the deadlock storm. */
    String deadlockUrl();

    ChaosProxy proxy();

    /** A plain connection straight to the server (not through the proxy), for the checker. */
    Connection direct() throws SQLException;

    /** What a fault is called in the output and the reports. */
    default String title(Fault fault) {
        return fault.title;
    }

    /** The faults this target can make. */
    Set<Fault> possible();

    /** Before each side: the server up, the proxy passing everything. */
    void prepare();

    /**
     * Makes the fault happen, for real.
     *
     * @return null when it struck, or why it was skipped (e.g. a missing privilege)
     */
    String strike(Fault fault) throws Exception;

    @Override
    void close();
}
