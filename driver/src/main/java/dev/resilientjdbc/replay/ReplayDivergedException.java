package dev.resilientjdbc.replay;

import java.sql.SQLTransactionRollbackException;

/** A replayed transaction saw different answers than the application did: it must not go on. SQLState 40001. */
public final class ReplayDivergedException extends SQLTransactionRollbackException {
    private static final long serialVersionUID = 1L;

    public ReplayDivergedException(String message) {
        super(message, "40001");
    }
}
