/**
 * What each database needs beyond JDBC: {@code InDoubt} (ending an old session, telling whether a
 * lost COMMIT committed) with its PostgreSQL implementation {@code PostgresInDoubt} and the commit
 * marker rows it writes ({@code CommitMarkers}), and {@code SqliteBusyWait} (whether the application
 * set SQLite's own busy waiting).
 */
package dev.resilientjdbc.dialect;
