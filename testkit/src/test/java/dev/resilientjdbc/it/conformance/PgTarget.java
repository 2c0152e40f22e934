package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Target;
import dev.resilientjdbc.control.pg.PgServer;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Properties;

/**
 * PostgreSQL: both runs use the schema {@value #SCHEMA} (via {@code currentSchema}), dropped and
 * created again before each run, so names, sequences and metadata come out the same.
 */
final class PgTarget implements Target {
    static final String SCHEMA = "conformance";
    private final PgServer server;

    PgTarget(PgServer server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public String rawUrl() {
        return server.jdbcUrl() + "?currentSchema=" + SCHEMA;
    }

    @Override
    public Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", server.user());
        return p;
    }

    @Override
    public void reset() throws Exception {
        try (Connection admin = server.connect(); Statement s = admin.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            s.execute("CREATE SCHEMA " + SCHEMA);
        }
    }
}
