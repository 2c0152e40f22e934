package dev.resilientjdbc.replay;

import dev.resilientjdbc.testkit.chaos.ChaosProxy;
import dev.resilientjdbc.testkit.pg.PgServer;

/** A real fault the ledger runs through resilient-jdbc must survive. */
enum ServerFault {
    TERMINATE_BACKENDS,
    FAST_RESTART,
    CRASH_RESTART,
    CUT_TCP;

    /** Strikes now; {@code proxy} is only needed for {@link #CUT_TCP}. */
    void apply(PgServer pg, ChaosProxy proxy) {
        switch (this) {
            case TERMINATE_BACKENDS -> pg.terminateAllClientBackends();
            case FAST_RESTART -> pg.restart();
            case CRASH_RESTART -> pg.crashRestart();
            case CUT_TCP -> proxy.cutAll();
        }
    }
}
