/**
 * Verified online backups of SQLite files and their restore: the scheduler, the store and manifests,
 * verification, recovery on open, the backup health check, and {@code SqliteBackups}, the API behind
 * the {@code resilient-sqlite} command.
 */
package dev.resilientjdbc.sqlite.backup;
