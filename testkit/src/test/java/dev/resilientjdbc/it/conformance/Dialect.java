package dev.resilientjdbc.it.conformance;

/** The databases the suite runs against; scenarios use it only where the SQL itself must differ. */
enum Dialect {
    POSTGRESQL, SQLITE;

    <T> T pick(T postgresql, T sqlite) {
        return this == POSTGRESQL ? postgresql : sqlite;
    }

    boolean pg() {
        return this == POSTGRESQL;
    }

    /** Schema pattern for metadata calls: our own schema on PostgreSQL, none on SQLite. */
    String schema() {
        return pick(PgTarget.SCHEMA, null);
    }
}
