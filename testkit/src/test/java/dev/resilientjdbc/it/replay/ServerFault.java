package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;

/** A real fault the ledger runs through resilient-jdbc must survive. */
enum ServerFault {
    TERMINATE_BACKENDS,
    FAST_RESTART,
    CRASH_RESTART,
    CUT_TCP;

    /**
     * Strikes now; {@code proxy} is only needed for {@link #CUT_TCP}.
     *
     * @return how many client connections it hit: backends terminated, client backends the restart or crash
     *         took down, connections through the proxy cut
     */
    int apply(PgServer pg, ChaosProxy proxy) {
        switch (this) {
            case TERMINATE_BACKENDS -> {
                return pg.terminateAllClientBackends();
            }
            case FAST_RESTART -> {
                int clients = pg.clientBackendCount();
                pg.restart();
                return clients;
            }
            case CRASH_RESTART -> {
                int clients = pg.clientBackendCount();
                pg.crashRestart();
                return clients;
            }
            case CUT_TCP -> {
                int open = proxy.openConnections();
                proxy.cutAll();
                return open;
            }
            default -> throw new IllegalStateException(name());
        }
    }
}
