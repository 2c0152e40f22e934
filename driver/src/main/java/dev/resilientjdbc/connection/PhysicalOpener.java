package dev.resilientjdbc.connection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens one physical connection: the shape every source of them has — the real driver, the embedded pool's
 * data source, the call the java agent intercepted. {@link LogicalConnection.Opener} and the driver's
 * {@code Assembly.PhysicalSource} add what only they need (a write's primary, a standby, discarding).
 */
@FunctionalInterface
public interface PhysicalOpener {
    Connection open() throws SQLException;
}
