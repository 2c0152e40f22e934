/**
 * The embedded HikariCP pools behind {@code resilient.pool=true}: their settings, and the
 * {@code PhysicalDataSource} they open connections through (the real driver behind our connect retries).
 */
package dev.resilientjdbc.pool;
