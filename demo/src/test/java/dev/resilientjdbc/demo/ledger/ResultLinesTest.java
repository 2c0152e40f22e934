package dev.resilientjdbc.demo.ledger;



import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A ledger result survives the trip through text lines (child JVM to demo), awkward values included. */
class ResultLinesTest {

    @Test
    void roundTripKeepsWhatTheCheckerNeeds() {
        Transfer ok = new Transfer("a-1", 1, 2, 10);
        Transfer failed = new Transfer("b 2", 2, 3, 20);
        Transfer noState = new Transfer("c~3", 3, 1, 30);
        Map<String, Failure> failures = new LinkedHashMap<>();
        failures.put(failed.id(), new Failure(failed, "08006", "org.postgresql.util.PSQLException", "An I/O error\noccurred = bad", true));
        failures.put(noState.id(), new Failure(noState, null, "org.sqlite.SQLiteException", "", false));
        LedgerWorkload.Result r = new LedgerWorkload.Result("jdbc:postgresql://h:5432/db?user=u&password=secret",
                new LedgerSchema(20, 1000), Duration.ofMillis(1234), Map.of(ok.id(), ok), failures,
                Map.of("d", new Transfer("d", 1, 2, 5000)), Map.of(), List.of("ledger-client-1-0"), Map.of("57P01", 2L, "null", 1L),
                77, 1, 3, 4, new LatencySummary(1, Duration.ofNanos(100), Duration.ofNanos(200), Duration.ofNanos(300)),
                new LatencySummary(0, Duration.ZERO, Duration.ZERO, Duration.ZERO), Duration.ofMillis(250), "ledger-client-1-1");

        List<String> lines = new ArrayList<>();
        lines.add("WRAP something else");
        ResultLines.write(r, lines::add);
        assertFalse(String.join("\n", lines).contains("secret"), "the URL travels without its parameters");
        LedgerWorkload.Result back = ResultLines.read(lines);

        assertEquals(r.acknowledged(), back.acknowledged());
        assertEquals(List.copyOf(r.failures().values()), List.copyOf(back.failures().values()));
        assertEquals(r.declined(), back.declined());
        assertEquals(r.hungThreads(), back.hungThreads());
        assertEquals(r.readFailuresBySqlState(), back.readFailuresBySqlState());
        assertEquals(r.transferLatency(), back.transferLatency());
        assertEquals(r.elapsed(), back.elapsed());
        assertEquals(r.longestPause(), back.longestPause());
        assertEquals(r.longestPauseThread(), back.longestPauseThread());
        assertEquals(r.schema().expectedTotal(), back.schema().expectedTotal());
        assertTrue(back.url().startsWith("jdbc:postgresql://h:5432/db"), back.url());
    }

    @Test
    void aCutOffResultIsRejected() {
        List<String> lines = new ArrayList<>();
        ResultLines.write(new LedgerWorkload.Result("jdbc:sqlite:x", new LedgerSchema(2, 1), Duration.ZERO, Map.of(), Map.of(), Map.of(),
                Map.of(), List.of(), Map.of(), 0, 0, 0, 0, LatencySummary.EMPTY, LatencySummary.EMPTY, Duration.ZERO, null), lines::add);
        lines.remove(lines.size() - 1);
        assertThrows(IllegalArgumentException.class, () -> ResultLines.read(lines));
    }
}
