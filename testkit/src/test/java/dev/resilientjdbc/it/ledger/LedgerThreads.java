package dev.resilientjdbc.it.ledger;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helper: the ledger's threads must all be gone once a run has returned its result. */
final class LedgerThreads {

    private LedgerThreads() {
    }

    static void assertNoneAlive() {
        List<String> alive = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("ledger-client-"))
                .toList();
        assertEquals(List.of(), alive, "ledger threads still alive");
    }
}
