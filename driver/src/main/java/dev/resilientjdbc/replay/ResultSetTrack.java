package dev.resilientjdbc.replay;

import java.sql.ResultSet;

/**
 * The real result set behind one application-held ResultSet proxy. After a replay it points to the
 * result set the replay produced, positioned where the application left the old one.
 */
public final class ResultSetTrack {
    private volatile ResultSet real;
    // The application closed it: a replay closes the result set it made in its place too.
    private volatile boolean closedByApplication;
    /** The transaction log recording reads from it; null outside explicit transactions. */
    final TransactionLog log;

    public ResultSetTrack(ResultSet real, TransactionLog log) {
        this.real = real;
        this.log = log;
    }

    public ResultSet real() {
        return real;
    }

    void rebind(ResultSet replayed) throws java.sql.SQLException {
        this.real = replayed;
        if (closedByApplication) {
            replayed.close();
        }
    }

    /** The application closed this result set. */
    public void closed() {
        closedByApplication = true;
    }

    boolean closedByApplication() {
        return closedByApplication;
    }

    /** Whether reads from it are being recorded. */
    public boolean recorded() {
        return log != null;
    }

    public TransactionLog log() {
        return log;
    }
}
