package dev.resilientjdbc.demo.ledger;

import java.util.Locale;

/** The few SQL differences the ledger cares about, chosen from the JDBC URL (a {@code jdbc:resilient:} prefix is looked through). */
enum Dialect {
    POSTGRESQL(" FOR UPDATE"),
    SQLITE(""),  // SQLite locks the whole database; FOR UPDATE does not parse
    GENERIC("");

    private final String lockSuffix;

    Dialect(String lockSuffix) {
        this.lockSuffix = lockSuffix;
    }

    static Dialect of(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:resilient:")) {
            u = "jdbc:" + u.substring("jdbc:resilient:".length());
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (u.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        return GENERIC;
    }

    /** Appended to the balance reads of a transfer so concurrent transfers queue on row locks instead of reading stale balances. */
    String lockSuffix() {
        return lockSuffix;
    }
}
