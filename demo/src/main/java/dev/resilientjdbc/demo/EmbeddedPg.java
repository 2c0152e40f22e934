package dev.resilientjdbc.demo;

import dev.resilientjdbc.control.chaos.ChaosProxy;
import dev.resilientjdbc.control.pg.PgServer;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;

/** An embedded PostgreSQL 17 started for the demo, crash-safe, with the chaos proxy in front. */
final class EmbeddedPg implements PgTarget {
    private final PgServer pg;
    private final ChaosProxy proxy;

    private EmbeddedPg(PgServer pg, ChaosProxy proxy) {
        this.pg = pg;
        this.proxy = proxy;
    }

    static EmbeddedPg start() {
        // Crash-safe: with fsync and synchronous commit off, a crash loses acknowledged commits whatever any driver does.
        PgServer pg = PgServer.builder().crashSafe(true).build();
        try {
            pg.start();
            return new EmbeddedPg(pg, ChaosProxy.start(pg.host(), pg.port()));
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    @Override
    public String label() {
        return "embedded PostgreSQL 17 on port " + pg.port() + " (chaos proxy on " + proxy.port() + ")";
    }

    @Override
    public String clientUrl() {
        return "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + pg.database() + "?user=" + pg.user()
                + "&connectTimeout=5&socketTimeout=10&loginTimeout=10&ApplicationName=" + APP_NAME;
    }

    @Override
    public String deadlockUrl() {
        // Straight to the server: the storm's faults are the deadlocks themselves, found fast with a short deadlock_timeout.
        return pg.jdbcUrl() + "?user=" + pg.user() + "&options=-c%20deadlock_timeout%3D50ms";
    }

    @Override
    public ChaosProxy proxy() {
        return proxy;
    }

    @Override
    public Connection direct() throws SQLException {
        return pg.connect();
    }

    @Override
    public Set<Fault> possible() {
        return EnumSet.allOf(Fault.class);
    }

    @Override
    public void prepare() {
        pg.ensureRunning();
        proxy.reset();
    }

    @Override
    public String strike(Fault fault) {
        switch (fault) {
            case TERMINATE -> pg.terminateAllClientBackends();
            case RESTART -> pg.restart();
            case CRASH -> pg.crashRestart();
            case CUT -> proxy.cutAll();
        }
        return null;
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            pg.close();
        }
    }
}
