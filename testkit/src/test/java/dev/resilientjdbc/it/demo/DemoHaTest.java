package dev.resilientjdbc.it.demo;

import dev.resilientjdbc.demo.DemoMain;
import dev.resilientjdbc.control.ha.PatroniCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's {@code --ha} (issue 24): the ledger through a kill of the Patroni leader, raw and resilient side
 * by side, then a switchover, in the same report. Only the HA scenario runs (--no-postgres --no-sqlite), so the run stays short:
 * the cluster's start (7–14 s), 3 s of ledger, the failover (≈ 9 s), 10 s after it, the switchover (≈ 2 s), 10 s after it. The raw side's errors
 * prove the kill hit; the resilient side may show only 40001 (a replayed transfer whose reads changed); the
 * checker found every invariant on both ledgers on the new leader (synchronous mode: nothing acknowledged
 * lost). Needs Debian's patroni, etcd-server, haproxy and postgresql-15 (.ci/run installs them); outside CI
 * it skips without them, saying so; in CI their absence fails the test.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DemoHaTest {
    private static final String WORKLOAD = "HA failover";
    private static final String KILL = "leader killed (kill -9)";
    private static final String SWITCHOVER = "switchover (patronictl)";

    @Test
    void haRunsRawAndResilientThroughALeaderKillInTheSameReport(@TempDir Path dir) throws Exception {
        String missing = PatroniCluster.missing();
        Assumptions.assumeTrue(missing == null || "true".equals(System.getenv("CI")),
                () -> "not installed: " + missing + " (apt-get install postgresql-15 patroni etcd-server python3-etcd haproxy);"
                        + " .ci/run installs them, so this runs in CI");
        CommandLine cmd = DemoMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute("--ha", "--no-postgres", "--no-sqlite", "--duration", "3s", "--threads", "4", "--report-dir", dir.toString());
        String run = "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        System.out.println(out.toString().replaceAll("\r[^\r\n]*(?=\r)", "")); // the run's lines, without the live progress line's updates
        assertEquals(0, exit, run);

        List<Map<String, Object>> runs = ReportJson.runs(dir);
        assertEquals(List.of(WORKLOAD + "/raw", WORKLOAD + "/resilient"), runs.stream().map(r -> r.get("workload") + "/" + r.get("side")).toList(),
                "the report holds the HA failover, both sides: " + runs);
        Map<String, Object> raw = runs.get(0);
        Map<String, Object> ours = runs.get(1);
        List<Map<String, Object>> rawSteps = steps(raw);
        List<Map<String, Object>> oursSteps = steps(ours);
        assertEquals(List.of(KILL, SWITCHOVER), rawSteps.stream().map(st -> st.get("fault")).toList(), "the kill, then the switchover: " + raw);
        for (int i = 0; i < rawSteps.size(); i++) {
            long leaderAgain = num(rawSteps.get(i), "leaderAgainMs");
            assertTrue(leaderAgain > 0 && leaderAgain < 60_000, "a new leader after " + rawSteps.get(i));
            assertEquals(leaderAgain, num(oursSteps.get(i), "leaderAgainMs"), "one cluster for both sides");
        }
        assertTrue(num(rawSteps.get(0), "leaderAgainMs") > 2000, "a real failover: Patroni's ttl passes first: " + rawSteps.get(0));
        for (Map<String, Object> side : runs) {
            assertTrue(num(steps(side).get(0), "writePauseMs") > 500, "the kill paused the writes of " + side.get("side") + ": " + side);
            assertEquals(List.of(KILL, SWITCHOVER), ((List<?>) side.get("faults")).stream().map(f -> obj(f).get("name")).toList(),
                    "the faults are on the chart");
            assertTrue(num(side, "succeeded") > 0, side.toString());
            // Synchronous mode: on both sides nothing acknowledged is lost, nothing applied twice, balances equal the journal.
            assertEquals(true, side.get("consistent"), "invariants, " + side.get("side") + ": " + side.get("check"));
            assertEquals(0L, num(side, "lost"), side.toString());
            assertEquals(0L, num(side, "duplicated"), side.toString());
        }
        assertTrue(num(raw, "errors") > 0, "the raw side saw the kill: " + raw);
        // The errors are on the chart where they happened (failed connects included), not all in the run's last interval.
        List<?> timeline = (List<?>) raw.get("timeline");
        long beforeEnd = ((Number) ((List<?>) timeline.get(timeline.size() - 2)).get(2)).longValue();
        assertTrue(beforeEnd >= num(raw, "errors") * 9 / 10, "raw errors sampled while the run went on: " + beforeEnd + " of " + raw.get("errors"));
        assertEquals(Set.of(), obj(ours.get("errorsByState")).keySet().stream().filter(k -> !k.equals("40001"))
                .collect(java.util.stream.Collectors.toSet()), "only 40001 reached the resilient side: " + ours.get("errorsByState"));
        assertTrue(((Number) obj(ours.get("recovery")).get("reconnects")).longValue() > 0, "the resilient side moved: " + ours.get("recovery"));

        // The HTML: the section with the chart, and its HA table, a row per side with the figures of the JSON.
        String html = Files.readString(dir.resolve("resilient-demo-report.html"));
        ReportPageCheck.assertTellsTheRun(dir);
        assertTrue(html.contains("<section class=\"workload\" data-workload=\"" + WORKLOAD + "\">"), "the HA section");
        for (Map<String, Object> st : rawSteps) {
            assertTrue(html.contains("<span class=\"ha-step\" data-fault=\"" + st.get("fault") + "\" data-leader-again-ms=\""
                    + num(st, "leaderAgainMs") + "\">"), "the time until a leader again after " + st);
        }
        for (Map<String, Object> side : runs) {
            Matcher m = Pattern.compile("<tr class=\"ha-side\" data-side=\"" + side.get("side") + "\" data-errors=\"(\\d+)\" data-invariants=\"(\\w+)\">"
                    + "(.*?)</tr>").matcher(html);
            assertTrue(m.find(), "the HA table's row for " + side.get("side"));
            assertEquals(num(side, "errors"), Long.parseLong(m.group(1)));
            assertEquals("ok", m.group(2));
            for (Map<String, Object> st : steps(side)) {
                assertTrue(m.group(3).contains("data-fault=\"" + st.get("fault") + "\" data-write-pause-ms=\"" + num(st, "writePauseMs") + "\""),
                        "the write pause of " + side.get("side") + " after " + st.get("fault") + ": " + m.group(3));
            }
        }
        // The console: what happened, a line per side.
        String text = out.toString();
        assertTrue(text.contains("HA failover: " + KILL + ", a leader again ") && text.contains("HA failover: " + SWITCHOVER + ", a leader again "), run);
        assertTrue(Pattern.compile("(?m)^  raw: +\\d+ committed, [1-9]\\d* errors").matcher(text).find(), run);
        assertTrue(Pattern.compile("(?m)^  resilient: \\d+ committed, \\d+ errors .*invariants ok$").matcher(text).find(), run);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(Map<String, Object> side) {
        return (List<Map<String, Object>>) obj(side.get("ha")).get("steps");
    }

    private static long num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        assertTrue(o instanceof Map, "an object: " + o);
        return (Map<String, Object>) o;
    }
}
