package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Scenario;

import java.util.ArrayList;
import java.util.List;

/** Every scenario of the suite for one dialect, in a stable order. */
final class Catalog {
    /**
     * A scenario; {@code knownGap} (null for most) describes a difference between raw and proxied runs
     * that is a real, reported defect not yet fixed: such a test is aborted with the observed difference
     * while the gap persists, and fails once the gap is gone so the marking gets removed.
     */
    record Entry(String name, Scenario scenario, String knownGap) {}

    private final Dialect dialect;
    private final List<Entry> entries = new ArrayList<>();

    private Catalog(Dialect dialect) {
        this.dialect = dialect;
    }

    static List<Entry> of(Dialect dialect) {
        Catalog c = new Catalog(dialect);
        SchemaScenarios.register(c);
        TypeScenarios.register(c);
        BatchAndKeyScenarios.register(c);
        TransactionScenarios.register(c);
        MetaDataScenarios.register(c);
        ResultSetScenarios.register(c);
        IdentityScenarios.register(c);
        VendorScenarios.register(c);
        LifecycleScenarios.register(c);
        ErrorScenarios.register(c);
        HandsOffScenarios.register(c);
        TimeoutScenarios.register(c);
        StreamFailureScenarios.register(c);
        BusyWaitScenarios.register(c);
        return List.copyOf(c.entries);
    }

    Dialect dialect() {
        return dialect;
    }

    /** A scenario for every database. */
    void add(String name, Scenario s) {
        if (entries.stream().anyMatch(e -> e.name().equals(name))) {
            throw new IllegalArgumentException("duplicate scenario " + name);
        }
        entries.add(new Entry(name, s, null));
    }

    /** A PostgreSQL scenario that currently shows a known, reported proxy defect. */
    void pgOnlyKnownGap(String name, Scenario s, String gap) {
        if (dialect.pg()) {
            add(name, s);
            entries.set(entries.size() - 1, new Entry(name, s, gap));
        }
    }

    /** A scenario only PostgreSQL can run (arrays, COPY, multiple result sets ...). */
    void pgOnly(String name, Scenario s) {
        if (dialect.pg()) {
            add(name, s);
        }
    }

    /** A scenario only SQLite can run. */
    void sqliteOnly(String name, Scenario s) {
        if (!dialect.pg()) {
            add(name, s);
        }
    }
}
