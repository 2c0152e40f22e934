package dev.resilientjdbc.it.replay;

import dev.resilientjdbc.it.replay.FuzzStep.ExecKind;
import dev.resilientjdbc.it.replay.FuzzStep.Setter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * jqwik arbitraries for transaction programs shaped like application code: groups of calls (bind
 * every parameter and execute; re-bind one and execute the same statement again; query and read a
 * few rows; batch; insert and read generated keys; savepoints) inside transactions that commit, roll
 * back or end with setAutoCommit(true), and autocommit stretches between them.
 */
final class FuzzPrograms {
    private FuzzPrograms() {
    }

    static Arbitrary<FuzzPlan> programs() {
        // The evidence of a COMMIT's outcome: the transaction id (marker off), the marker, or none at all (then no
        // exactly-once writes either, which need evidence).
        return Combinators.combine(segment().list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(false, true),
                        Arbitraries.frequency(Tuple.of(3, false), Tuple.of(1, true)),
                        Arbitraries.frequency(Tuple.of(2, "xid"), Tuple.of(2, "marker"), Tuple.of(1, "none")))
                .as((segments, exactlyOnce, simple, evidence) -> new FuzzPlan(flatten(segments),
                        exactlyOnce && !evidence.equals("none"), simple, evidence.equals("marker"), !evidence.equals("none")));
    }

    /** Mostly nothing; sessions killed and TCP cuts are cheap, restarts and crashes cost a second or two each. */
    private static Arbitrary<FuzzFault> fault() {
        return Arbitraries.frequency(
                Tuple.of(180, FuzzFault.NONE), Tuple.of(6, FuzzFault.TERMINATE), Tuple.of(6, FuzzFault.CUT),
                Tuple.of(1, FuzzFault.RESTART), Tuple.of(1, FuzzFault.CRASH));
    }

    private static Arbitrary<FuzzFault> commitFault() {
        return Arbitraries.frequency(
                Tuple.of(70, FuzzFault.NONE), Tuple.of(12, FuzzFault.LOST_COMMIT), Tuple.of(8, FuzzFault.TERMINATE),
                Tuple.of(8, FuzzFault.CUT), Tuple.of(1, FuzzFault.RESTART), Tuple.of(1, FuzzFault.CRASH),
                Tuple.of(2, FuzzFault.COMMIT_DROPPED_CRASH), Tuple.of(2, FuzzFault.REPLY_LOST_CRASH));
    }

    private static Arbitrary<FuzzStep> faulted(FuzzStep step) {
        return fault().map(step::withFault);
    }

    private static Arbitrary<List<FuzzStep>> one(Arbitrary<FuzzStep> step) {
        return step.map(List::of);
    }

    private static Arbitrary<List<FuzzStep>> segment() {
        Arbitrary<List<FuzzStep>> tx = Combinators.combine(faulted(new FuzzStep.Begin(FuzzFault.NONE)), ops(6), ending())
                .as((begin, ops, end) -> concat(List.of(begin), ops, List.of(end)));
        // In manual-commit mode already: the next statement begins the next transaction.
        Arbitrary<List<FuzzStep>> txContinued = Combinators.combine(ops(6), ending())
                .as((ops, end) -> concat(ops, List.of(end)));
        Arbitrary<List<FuzzStep>> autocommit = Combinators.combine(faulted(new FuzzStep.AutoCommitOn(FuzzFault.NONE)), ops(3))
                .as((on, ops) -> concat(List.of(on), ops));
        return Arbitraries.frequencyOf(Tuple.of(5, tx), Tuple.of(2, txContinued), Tuple.of(3, autocommit));
    }

    private static Arbitrary<FuzzStep> ending() {
        return Combinators.combine(
                Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(2, 1), Tuple.of(2, 2)), commitFault())
                .as((kind, f) -> kind == 0 ? new FuzzStep.Commit(f)
                        : kind == 1 ? new FuzzStep.Rollback(f.atCommitOnly() ? FuzzFault.NONE : f)
                        : new FuzzStep.AutoCommitOn(f));
    }

    private static Arbitrary<List<FuzzStep>> ops(int maxGroups) {
        Arbitrary<List<FuzzStep>> group = Arbitraries.frequencyOf(
                Tuple.of(4, bindAllAndExecute()),
                Tuple.of(4, rebindOneAndExecute()),
                Tuple.of(3, queryAndRead()),
                Tuple.of(2, readMore()),
                Tuple.of(2, batch()),
                Tuple.of(2, insertWithKeys()),
                Tuple.of(1, clearThenExecute()),
                Tuple.of(2, statementCalls()),
                Tuple.of(2, savepointCall()),
                Tuple.of(2, guardedInsert()));
        return group.list().ofMinSize(1).ofMaxSize(maxGroups).map(FuzzPrograms::flatten);
    }

    private static Arbitrary<Integer> updateSlot() {
        return Arbitraries.of(1, 1, 3, 6);
    }

    private static Arbitrary<Integer> anySlot() {
        return Arbitraries.of(1, 2, 3, 5, 6);
    }

    private static Arbitrary<FuzzStep> bind(int ps, int param) {
        FuzzSql.Param kind = FuzzSql.prepared(ps).params().get(param - 1);
        Arbitrary<Setter> setter;
        Arbitrary<Long> n;
        switch (kind) {
            case ID:
                setter = Arbitraries.of(Setter.LONG, Setter.INT, Setter.OBJECT_TYPED, Setter.OBJECT);
                n = Arbitraries.longs().between(1, 12);
                break;
            case NUMBER:
                setter = Arbitraries.of(Setter.LONG, Setter.INT, Setter.OBJECT_TYPED, Setter.OBJECT);
                n = Arbitraries.longs().between(-100, 100);
                break;
            case NULLABLE_NUMBER:
                setter = Arbitraries.of(Setter.LONG, Setter.INT, Setter.OBJECT_TYPED, Setter.OBJECT, Setter.NULL_BIGINT);
                n = Arbitraries.longs().between(-20, 20);
                break;
            default:
                setter = Arbitraries.of(Setter.STRING, Setter.NULL_VARCHAR);
                n = Arbitraries.longs().between(0, 9);
        }
        return Combinators.combine(fault(), setter, n).as((f, s, v) -> new FuzzStep.Bind(f, ps, param, s, v));
    }

    private static Arbitrary<List<FuzzStep>> bindAll(int ps) {
        int count = FuzzSql.prepared(ps).params().size();
        List<Arbitrary<FuzzStep>> binds = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            binds.add(bind(ps, i));
        }
        return Combinators.combine(binds).as(List::copyOf);
    }

    private static Arbitrary<FuzzStep> exec(int ps) {
        boolean query = FuzzSql.prepared(ps).query();
        return Combinators.combine(fault(), Arbitraries.frequency(Tuple.of(4, query ? ExecKind.QUERY : ExecKind.UPDATE),
                Tuple.of(1, ExecKind.EXECUTE))).as((f, k) -> new FuzzStep.Exec(f, ps, k));
    }

    private static Arbitrary<List<FuzzStep>> reads(int slot, int min, int max) {
        return Combinators.combine(fault(), Arbitraries.integers().between(0, 7))
                .as((f, labels) -> (FuzzStep) new FuzzStep.Read(f, slot, labels)).list().ofMinSize(min).ofMaxSize(max);
    }

    private static Arbitrary<List<FuzzStep>> bindAllAndExecute() {
        return anySlot().flatMap(ps -> Combinators.combine(bindAll(ps), exec(ps)).as((b, e) -> concat(b, List.of(e))));
    }

    /** The statement most likely to be hurt by a replay: the same PreparedStatement, one parameter bound anew. */
    private static Arbitrary<List<FuzzStep>> rebindOneAndExecute() {
        return updateSlot().flatMap(ps -> Combinators.combine(
                Arbitraries.integers().between(1, FuzzSql.prepared(ps).params().size()).flatMap(i -> bind(ps, i)), exec(ps))
                .as((b, e) -> List.of(b, e)));
    }

    private static Arbitrary<List<FuzzStep>> queryAndRead() {
        return Arbitraries.of(2, 2, 5).flatMap(ps -> Combinators.combine(fetchSize(ps), bindAll(ps), exec(ps), reads(ps, 0, 4))
                .as((f, b, e, r) -> concat(f, b, List.of(e), r)));
    }

    /** Now and then a small fetch size, so that reading on inside a transaction goes back to the server. */
    private static Arbitrary<List<FuzzStep>> fetchSize(int ps) {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(List.<FuzzStep>of())),
                Tuple.of(1, Combinators.combine(fault(), Arbitraries.integers().between(1, 3))
                        .as((f, n) -> List.<FuzzStep>of(new FuzzStep.FetchSize(f, ps, n)))));
    }

    /** INSERT that may hit a taken id (23505), inside a savepoint it rolls back to on the way, as applications do. */
    private static Arbitrary<List<FuzzStep>> guardedInsert() {
        return Combinators.combine(faulted(new FuzzStep.SetSavepoint(FuzzFault.NONE)), bindAll(8),
                        faulted(new FuzzStep.Exec(FuzzFault.NONE, 8, ExecKind.UPDATE)),
                        Arbitraries.of(true, false), fault())
                .as((sp, b, e, rollback, f) -> concat(List.of(sp), b, List.of(e),
                        List.of(rollback ? new FuzzStep.RollbackToSavepoint(f, -1) : new FuzzStep.ReleaseSavepoint(f, -1))));
    }

    private static Arbitrary<List<FuzzStep>> readMore() {
        Arbitrary<List<FuzzStep>> close = Combinators.combine(fault(), Arbitraries.of(0, 2, 5, 14))
                .as((f, slot) -> List.<FuzzStep>of(new FuzzStep.CloseResult(f, slot)));
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(0, 2, 5, 14, 17).flatMap(slot -> reads(slot, 1, 2))),
                Tuple.of(1, close));
    }

    private static Arbitrary<List<FuzzStep>> batch() {
        return Arbitraries.of(1, 3, 6, 4).flatMap(ps -> Combinators.combine(
                Combinators.combine(bindAll(ps), faulted(new FuzzStep.AddBatch(FuzzFault.NONE, ps)))
                        .as((b, a) -> concat(b, List.of(a))).list().ofMinSize(1).ofMaxSize(3),
                Arbitraries.frequency(Tuple.of(5, false), Tuple.of(1, true)),
                faulted(new FuzzStep.ExecuteBatch(FuzzFault.NONE, ps)))
                .as((adds, clear, exec) -> concat(flatten(adds),
                        clear ? List.of(new FuzzStep.ClearBatch(FuzzFault.NONE, ps)) : List.of(), List.of(exec))));
    }

    private static Arbitrary<List<FuzzStep>> insertWithKeys() {
        return Arbitraries.frequency(Tuple.of(3, 4), Tuple.of(1, 7)).flatMap(ps -> Combinators.combine(
                bindAll(ps), faulted(new FuzzStep.Exec(FuzzFault.NONE, ps, ExecKind.UPDATE)),
                faulted(new FuzzStep.GeneratedKeys(FuzzFault.NONE, ps)), reads(10 + ps, 0, 2))
                .as((b, e, k, r) -> concat(b, List.of(e, k), r)));
    }

    private static Arbitrary<List<FuzzStep>> clearThenExecute() {
        return anySlot().flatMap(ps -> Combinators.combine(faulted(new FuzzStep.ClearParameters(FuzzFault.NONE, ps)), bindAll(ps), exec(ps))
                .as((c, b, e) -> concat(List.of(c), b, List.of(e))));
    }

    private static Arbitrary<List<FuzzStep>> statementCalls() {
        Arbitrary<List<FuzzStep>> query = Combinators.combine(
                Combinators.combine(fault(), Arbitraries.integers().between(0, FuzzSql.ST_QUERIES.size() - 1)).as(FuzzStep.StQuery::new),
                reads(0, 0, 3)).as((q, r) -> concat(List.of(q), r));
        Arbitrary<List<FuzzStep>> update = one(Combinators.combine(fault(),
                Arbitraries.integers().between(0, FuzzSql.ST_UPDATES.size() - 1)).as(FuzzStep.StUpdate::new));
        Arbitrary<List<FuzzStep>> execute = one(Combinators.combine(fault(),
                Arbitraries.integers().between(0, FuzzSql.ST_EXECUTES.size() - 1)).as(FuzzStep.StExecute::new));
        Arbitrary<List<FuzzStep>> batch = Combinators.combine(
                Combinators.combine(fault(), Arbitraries.integers().between(0, FuzzSql.ST_UPDATES.size() - 1))
                        .as(FuzzStep.StAddBatch::new).list().ofMinSize(1).ofMaxSize(3),
                fault().map(FuzzStep.StExecuteBatch::new)).as((adds, exec) -> concat(adds, List.of(exec)));
        return Arbitraries.oneOf(query, update, execute, batch);
    }

    private static Arbitrary<List<FuzzStep>> savepointCall() {
        Arbitrary<Integer> ref = Arbitraries.integers().between(0, 3);
        return one(Arbitraries.oneOf(
                faulted(new FuzzStep.SetSavepoint(FuzzFault.NONE)),
                faulted(new FuzzStep.SetSavepoint(FuzzFault.NONE)),
                Combinators.combine(fault(), ref).as(FuzzStep.RollbackToSavepoint::new),
                Combinators.combine(fault(), ref).as(FuzzStep.ReleaseSavepoint::new)));
    }

    @SafeVarargs
    private static List<FuzzStep> concat(List<? extends FuzzStep>... parts) {
        List<FuzzStep> out = new ArrayList<>();
        for (List<? extends FuzzStep> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    private static List<FuzzStep> flatten(List<List<FuzzStep>> groups) {
        List<FuzzStep> out = new ArrayList<>();
        groups.forEach(out::addAll);
        return out;
    }
}
