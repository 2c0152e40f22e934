package dev.resilientjdbc.classify;

/** Which classifier a target gets, from its real URL. */
public enum Dialect {
    POSTGRESQL, SQLITE, GENERIC;

    /** {@code jdbc:postgresql:} and {@code jdbc:sqlite:} by prefix; every other driver is generic. */
    public static Dialect fromRealUrl(String url) {
        if (url != null && url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url != null && url.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        return GENERIC;
    }
}
