package dev.resilientjdbc.replay;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a transaction log needs of an application's statement to run its calls again on a new
 * connection: the connection layer implements it, so the log never depends on that layer.
 */
public interface ReplayableStatement {
    /** Whether the statement can be made again on another connection (one the real driver made itself cannot). */
    boolean repeatable();

    /** Bytes a snapshot of the statement's settings and parameters takes, for the log's memory bound. */
    long snapshotSize();

    /** The physical statement a replay on {@code physical} runs this statement's calls on. */
    Statement statementForReplay(Connection physical) throws SQLException;

    /** Puts the settings and parameters a call ran with ({@code snapshot}) on {@code s} before it runs again. */
    void applySnapshot(Statement s, Object snapshot) throws SQLException;

    /** The physical statement the application's calls last ran on. */
    Statement lastPhysical();

    /** After a successful replay the statement goes on with {@code s}. */
    void adoptAfterReplay(Statement s) throws SQLException;
}
