package dev.resilientjdbc.classify;

import java.sql.SQLException;

/** Maps an SQLException to its {@link FailureClass}. Never throws, never returns null. */
@FunctionalInterface
public interface FailureClassifier {
    FailureClass classify(SQLException e);
}
