package dev.resilientjdbc.classify;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.net.SocketException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Any SQLException at all — odd states, codes, subclasses, cause chains with cycles — classifies without throwing. */
class ClassifierProperties {
    private static final List<FailureClassifier> CLASSIFIERS = List.of(
            Classifiers.forDialect(Dialect.POSTGRESQL, ClassOverrides.NONE),
            Classifiers.forDialect(Dialect.SQLITE, ClassOverrides.NONE),
            Classifiers.forDialect(Dialect.GENERIC, ClassOverrides.NONE),
            Classifiers.forDialect(Dialect.POSTGRESQL, ClassOverrides.parse("57014=CONNECTION,23=BUSY,code:5=FATAL")));

    @Provide
    Arbitrary<String> states() {
        return Arbitraries.oneOf(
                Arbitraries.just(null),
                Arbitraries.strings().withChars("0123456789ABCDEFPXZ").ofLength(5),
                Arbitraries.strings().all().ofMaxLength(8),
                Arbitraries.of("08006", "57P01", "40001", "40P01", "55P03", "53300", "25006", "23505", "42601", "22012"));
    }

    @Provide
    Arbitrary<SQLException> exceptions() {
        Arbitrary<String> messages = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.of("[SQLITE_BUSY] locked", "[SQLITE_BUSY_SNAPSHOT] stale", "[SQLITE_", "[SQLITE_LOCKED", "]"));
        Arbitrary<Integer> codes = Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.of(0, 5, 6, 261, 517, 773));
        Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 8);
        Arbitrary<Integer> depth = Arbitraries.integers().between(0, 5);
        Arbitrary<Boolean> cyclic = Arbitraries.of(true, false);
        return Combinators.combine(states(), messages, codes, kinds, depth, cyclic)
                .as(ClassifierProperties::build);
    }

    private static SQLException build(String state, String message, int code, int kind, int depth, boolean cyclic) {
        SQLException head = make(kind, message, state, code);
        SQLException tail = head;
        for (int i = 0; i < depth; i++) {
            SQLException next = make((kind + i + 1) % 9, message, i % 2 == 0 ? null : state, code + i);
            if (tail.getCause() == null) {
                tail.initCause(next);
            }
            tail.setNextException(next);
            tail = next;
        }
        if (depth > 0 && tail.getCause() == null) {
            tail.initCause(cyclic ? head : new SocketException("reset"));
        }
        return head;
    }

    private static SQLException make(int kind, String message, String state, int code) {
        switch (kind) {
            case 0: return new SQLTransientConnectionException(message, state, code);
            case 1: return new SQLNonTransientConnectionException(message, state, code);
            case 2: return new SQLRecoverableException(message, state, code);
            case 3: return new SQLTransactionRollbackException(message, state, code);
            case 4: return new SQLTimeoutException(message, state, code);
            case 5: return new BatchUpdateException(message, state, code, new int[0]);
            case 6: return new SQLiteException(message == null ? "" : message, SQLiteErrorCode.getErrorCode(code));
            case 7: return new SQLException(message, state, code, new IOException("io"));
            default: return new SQLException(message, state, code);
        }
    }

    @Property(tries = 2000)
    void everyExceptionClassifiesDeterministicallyWithoutThrowing(@ForAll("exceptions") SQLException e) {
        for (FailureClassifier c : CLASSIFIERS) {
            FailureClass first = c.classify(e);
            assertNotNull(first);
            assertEquals(first, c.classify(e), "deterministic");
        }
    }

    @Property(tries = 1000)
    void dataSyntaxAndConstraintStatesAreFatalOnPostgresWhateverTheCauses(
            @ForAll("exceptions") SQLException chain, @ForAll("fatalStates") String state) {
        SQLException e = new SQLException("x", state, chain);
        assertEquals(FailureClass.FATAL, CLASSIFIERS.get(0).classify(e));
    }

    @Provide
    Arbitrary<String> fatalStates() {
        return Combinators.combine(Arbitraries.of("22", "23", "42"), Arbitraries.strings().withChars("0123456789ABCP").ofLength(3))
                .as((a, b) -> a + b);
    }
}
