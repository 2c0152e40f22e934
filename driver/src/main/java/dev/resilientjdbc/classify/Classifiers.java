package dev.resilientjdbc.classify;

import java.sql.SQLException;

/** The classifier of a target: its dialect's, with the user's overrides in front. */
public final class Classifiers {
    private Classifiers() {}

    public static FailureClassifier forDialect(Dialect dialect, ClassOverrides overrides) {
        return forDialect(dialect, overrides, null);
    }

    /** @param localAddress the real driver's local socket address setting (pgjdbc's localSocketAddress), or null */
    public static FailureClassifier forDialect(Dialect dialect, ClassOverrides overrides, String localAddress) {
        FailureClassifier base;
        switch (dialect) {
            case POSTGRESQL: base = new PostgresClassifier(localAddress); break;
            case SQLITE: base = new SqliteClassifier(); break;
            default: base = new GenericClassifier();
        }
        return overrides == null || overrides.isEmpty() ? base : withOverrides(base, overrides);
    }

    public static FailureClassifier withOverrides(FailureClassifier base, ClassOverrides overrides) {
        return e -> {
            if (e == null) {
                return FailureClass.FATAL;
            }
            FailureClass own = overrides.lookup(e);
            return own != null ? own : base.classify(e);
        };
    }
}
