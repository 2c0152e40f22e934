package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Conformance;
import dev.resilientjdbc.testkit.conformance.Target;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.stream.Stream;

/** Turns the catalogue into one dynamic test per scenario for a target. */
final class Runs {
    private Runs() {}

    static Stream<DynamicTest> of(Dialect dialect, Target target) {
        return Catalog.of(dialect).stream().map(e -> DynamicTest.dynamicTest(
                e.knownGap() == null ? e.name() : e.name() + " [KNOWN GAP]", () -> run(target, e)));
    }

    private static void run(Target target, Catalog.Entry e) throws Exception {
        if (e.knownGap() == null) {
            Conformance.check(target, e.name(), e.scenario());
            return;
        }
        try {
            Conformance.check(target, e.name(), e.scenario());
        } catch (AssertionFailedError stillThere) {
            throw new TestAbortedException("KNOWN GAP, reported, not fixed: " + e.knownGap() + "\n" + stillThere.getMessage());
        }
        throw new AssertionFailedError("[" + target.name() + "] " + e.name() + ": the known gap (" + e.knownGap()
                + ") no longer shows; remove its known-gap marking so the scenario guards the fix");
    }
}
