package dev.resilientjdbc.it.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A generated program and the steps of it that make sense as JDBC: jqwik shrinks by deleting steps,
 * so a read whose query was deleted, a commit outside a transaction or a rollback to a savepoint that
 * no longer exists is dropped here, by structure alone, the same way for both runs. toString prints
 * only those live steps, as Java.
 */
final class FuzzPlan {
    /** A live step: its position among live steps, whether it runs inside a transaction, its savepoint. */
    record Planned(int index, FuzzStep step, boolean inTransaction, int savepoint) {
    }

    final List<FuzzStep> steps;
    final boolean exactlyOnce;
    /** preferQueryMode=simple: pgjdbc then sends COMMIT as text every time, not only on a connection's first commit. */
    final boolean simpleProtocol;
    /** The resilient run writes commit markers (resilient.indoubt.marker=true). */
    final boolean marker;
    /** False: the resilient run gathers no evidence at all (resilient.indoubt.evidence=false; then marker and exactlyOnce are false). */
    final boolean evidence;
    final List<Planned> live;
    /** Prepared statement slots the live steps use, and whether they use the plain Statement: made before the first step. */
    final TreeSet<Integer> preparedSlots = new TreeSet<>();
    final boolean usesStatement;

    FuzzPlan(List<FuzzStep> steps, boolean exactlyOnce, boolean simpleProtocol, boolean marker) {
        this(steps, exactlyOnce, simpleProtocol, marker, true);
    }

    FuzzPlan(List<FuzzStep> steps, boolean exactlyOnce, boolean simpleProtocol, boolean marker, boolean evidence) {
        if (!evidence && (marker || exactlyOnce)) {
            throw new IllegalArgumentException("without evidence neither the marker nor exactly-once writes");
        }
        this.marker = marker;
        this.evidence = evidence;
        this.steps = List.copyOf(steps);
        this.exactlyOnce = exactlyOnce;
        this.simpleProtocol = simpleProtocol;
        this.live = plan(this.steps);
        boolean statement = false;
        for (Planned p : live) {
            String java = p.step().java(p);
            for (FuzzSql.Prepared ps : FuzzSql.PREPARED) {
                if (java.contains(ps.name() + ".")) {
                    preparedSlots.add(ps.slot());
                }
            }
            statement |= java.contains("st.");
        }
        this.usesStatement = statement;
    }

    private static List<Planned> plan(List<FuzzStep> steps) {
        List<Planned> out = new ArrayList<>();
        boolean manual = false;
        int segment = 0;
        Map<Integer, Integer> openResults = new HashMap<>(); // slot -> segment it was opened in
        List<Integer> savepoints = new ArrayList<>();
        int nextSavepoint = 1;
        for (FuzzStep step : steps) {
            int sp = 0;
            if (step instanceof FuzzStep.Begin) {
                if (manual) {
                    continue;
                }
                manual = true;
                segment++;
            } else if (step instanceof FuzzStep.Commit || step instanceof FuzzStep.Rollback || step instanceof FuzzStep.AutoCommitOn) {
                if (!manual) {
                    continue;
                }
                out.add(new Planned(out.size(), step, true, 0));
                manual = !(step instanceof FuzzStep.AutoCommitOn);
                segment++;
                savepoints.clear();
                continue;
            } else if (step instanceof FuzzStep.SetSavepoint) {
                if (!manual) {
                    continue;
                }
                sp = nextSavepoint++;
                savepoints.add(sp);
            } else if (step instanceof FuzzStep.RollbackToSavepoint r) {
                if (!manual || savepoints.isEmpty()) {
                    continue;
                }
                int at = Math.floorMod(r.ref(), savepoints.size());
                sp = savepoints.get(at);
                savepoints.subList(at + 1, savepoints.size()).clear();
            } else if (step instanceof FuzzStep.ReleaseSavepoint r) {
                if (!manual || savepoints.isEmpty()) {
                    continue;
                }
                int at = Math.floorMod(r.ref(), savepoints.size());
                sp = savepoints.get(at);
                savepoints.subList(at, savepoints.size()).clear();
            } else if (step instanceof FuzzStep.Read r) {
                Integer opened = openResults.get(r.slot());
                if (opened == null || opened != segment) {
                    continue;
                }
            } else if (step instanceof FuzzStep.Exec e) {
                boolean query = FuzzSql.prepared(e.ps()).query();
                if (e.kind() == FuzzStep.ExecKind.QUERY && !query || e.kind() == FuzzStep.ExecKind.UPDATE && query) {
                    continue;
                }
                if (query) {
                    openResults.put(e.ps(), segment);
                }
                openResults.remove(10 + e.ps());
            } else if (step instanceof FuzzStep.ExecuteBatch b) {
                openResults.remove(10 + b.ps());
            } else if (step instanceof FuzzStep.GeneratedKeys k) {
                openResults.put(10 + k.ps(), segment);
            } else if (step instanceof FuzzStep.StQuery) {
                openResults.put(0, segment);
            } else if (step instanceof FuzzStep.StUpdate || step instanceof FuzzStep.StExecute || step instanceof FuzzStep.StExecuteBatch) {
                openResults.remove(0);
            } else if (step instanceof FuzzStep.CloseResult c) {
                if (openResults.remove(c.slot()) == null) {
                    continue;
                }
            }
            out.add(new Planned(out.size(), step, manual, sp));
        }
        return List.copyOf(out);
    }

    int faultCount() {
        return (int) live.stream().filter(p -> p.step().fault() != FuzzFault.NONE).count();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("\n// ").append(live.size()).append(" live calls, ").append(faultCount())
                .append(" faults").append(exactlyOnce ? ", URL with resilient.autocommit.exactlyOnce=true" : "")
                .append(simpleProtocol ? ", URL with preferQueryMode=simple" : "")
                .append(marker ? ", URL with resilient.indoubt.marker=true" : "")
                .append(evidence ? "" : ", URL with resilient.indoubt.evidence=false").append('\n');
        for (int slot : preparedSlots) {
            FuzzSql.Prepared ps = FuzzSql.prepared(slot);
            b.append("PreparedStatement ").append(ps.name()).append(" = conn.prepareStatement(").append(FuzzStep.quote(ps.sql()))
                    .append(ps.keys() ? ", Statement.RETURN_GENERATED_KEYS" : "").append(");\n");
        }
        if (usesStatement) {
            b.append("Statement st = conn.createStatement();\n");
        }
        for (Planned p : live) {
            b.append(p.step().java(p));
            if (p.step().fault() != FuzzFault.NONE) {
                b.append(" // fault: ").append(p.step().fault()).append(" before this call");
            }
            b.append('\n');
        }
        return b.toString();
    }
}
