package dev.resilientjdbc.demo.ledger;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A {@link LedgerWorkload.Result} as text lines and back, so that a workload run in another process
 * (a child JVM, with or without the java agent) can be checked by {@link LedgerChecker} in this one.
 * Every line starts with {@code LEDGER-}; the last is {@code LEDGER-END}. Free text (messages,
 * SQLStates, names) is URL-encoded, so a line never holds a space or a line break it did not put there.
 * The URL is sent without its parameters: it may hold a password, and the checker only needs its prefix.
 */
public final class ResultLines {
    public static final String PREFIX = "LEDGER-";
    public static final String END = "LEDGER-END";
    // URL-encoding turns a real '~' or '=' into %7E or %3D, so these two never collide with a value.
    private static final String NULL = "~";
    private static final String EMPTY = "=";

    private ResultLines() {}

    public static void write(LedgerWorkload.Result r, Consumer<String> out) {
        out.accept(PREFIX + "RESULT " + enc(LedgerRun.redact(r.url())) + " " + r.schema().accounts() + " " + r.schema().initialBalance()
                + " " + r.elapsed().toNanos() + " " + r.readsOk() + " " + r.inconsistentReads() + " " + r.reopens()
                + " " + r.connectFailures() + " " + r.longestPause().toNanos() + " " + enc(r.longestPauseThread()));
        out.accept(PREFIX + "LATENCY transfer " + latency(r.transferLatency()));
        out.accept(PREFIX + "LATENCY read " + latency(r.readLatency()));
        r.acknowledged().values().forEach(t -> out.accept(PREFIX + "ACK " + transfer(t)));
        r.declined().values().forEach(t -> out.accept(PREFIX + "DECLINED " + transfer(t)));
        r.inFlight().values().forEach(t -> out.accept(PREFIX + "INFLIGHT " + transfer(t)));
        r.failures().values().forEach(f -> out.accept(PREFIX + "FAIL " + transfer(f.transfer()) + " " + f.atCommit() + " "
                + enc(f.sqlState()) + " " + enc(f.exceptionClass()) + " " + enc(f.message())));
        r.readFailuresBySqlState().forEach((state, n) -> out.accept(PREFIX + "READFAIL " + enc(state) + " " + n));
        r.hungThreads().forEach(name -> out.accept(PREFIX + "HUNG " + enc(name)));
        out.accept(END);
    }

    /** Rebuilds the result from the lines {@link #write} produced; other lines are skipped. */
    public static LedgerWorkload.Result read(List<String> lines) {
        String[] head = null;
        LatencySummary transfers = LatencySummary.EMPTY;
        LatencySummary reads = LatencySummary.EMPTY;
        Map<String, Transfer> ack = new HashMap<>();
        Map<String, Transfer> declined = new HashMap<>();
        Map<String, Transfer> inFlight = new HashMap<>();
        Map<String, Failure> failures = new LinkedHashMap<>();
        Map<String, Long> readFailures = new TreeMap<>();
        List<String> hung = new ArrayList<>();
        boolean ended = false;
        for (String line : lines) {
            if (!line.startsWith(PREFIX)) {
                continue;
            }
            String[] f = line.substring(PREFIX.length()).split(" ");
            switch (f[0]) {
                case "RESULT" -> head = f;
                case "LATENCY" -> {
                    LatencySummary l = new LatencySummary(Long.parseLong(f[2]), Duration.ofNanos(Long.parseLong(f[3])),
                            Duration.ofNanos(Long.parseLong(f[4])), Duration.ofNanos(Long.parseLong(f[5])));
                    if (f[1].equals("transfer")) {
                        transfers = l;
                    } else {
                        reads = l;
                    }
                }
                case "ACK" -> put(ack, transfer(f, 1));
                case "DECLINED" -> put(declined, transfer(f, 1));
                case "INFLIGHT" -> put(inFlight, transfer(f, 1));
                case "FAIL" -> {
                    Transfer t = transfer(f, 1);
                    failures.put(t.id(), new Failure(t, dec(f[6]), dec(f[7]), dec(f[8]), Boolean.parseBoolean(f[5])));
                }
                case "READFAIL" -> readFailures.merge(dec(f[1]), Long.parseLong(f[2]), Long::sum);
                case "HUNG" -> hung.add(dec(f[1]));
                case "END" -> ended = true;
                default -> throw new IllegalArgumentException("not a ledger result line: " + line);
            }
        }
        if (head == null || !ended) {
            throw new IllegalArgumentException("incomplete ledger result: " + (head == null ? "no LEDGER-RESULT line" : "no " + END + " line"));
        }
        return new LedgerWorkload.Result(dec(head[1]), new LedgerSchema(Integer.parseInt(head[2]), Long.parseLong(head[3])),
                Duration.ofNanos(Long.parseLong(head[4])), ack, failures, declined, inFlight, hung, readFailures,
                Long.parseLong(head[5]), Long.parseLong(head[6]), Long.parseLong(head[7]), Long.parseLong(head[8]),
                transfers, reads, Duration.ofNanos(Long.parseLong(head[9])), dec(head[10]));
    }

    private static void put(Map<String, Transfer> m, Transfer t) {
        m.put(t.id(), t);
    }

    private static String latency(LatencySummary l) {
        return l.count() + " " + l.p50().toNanos() + " " + l.p99().toNanos() + " " + l.max().toNanos();
    }

    private static String transfer(Transfer t) {
        return enc(t.id()) + " " + t.fromId() + " " + t.toId() + " " + t.amount();
    }

    private static Transfer transfer(String[] f, int at) {
        return new Transfer(dec(f[at]), Integer.parseInt(f[at + 1]), Integer.parseInt(f[at + 2]), Long.parseLong(f[at + 3]));
    }

    private static String enc(String s) {
        return s == null ? NULL : s.isEmpty() ? EMPTY : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return s.equals(NULL) ? null : s.equals(EMPTY) ? "" : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
