package dev.resilientjdbc.demo.legacy;

import dev.resilientjdbc.proxy.ResilientProxy;
import dev.resilientjdbc.demo.ledger.LedgerRun;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.demo.ledger.ResultLines;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bank ledger as an unchanged legacy application: plain {@code jdbc:postgresql:} URL, plain
 * {@code java.sql}, no resilient-jdbc code. The demo runs it in a child JVM, once as it is and once
 * with {@code -javaagent:resilient-agent.jar}, and reads what it prints.
 *
 * <p>Args: {@code url clients durationMs [accounts [seed]]}; a url of {@code -} is read from the
 * environment variable {@value #URL_ENV}, so a password never shows in a process listing.
 *
 * <p>Stdout, one fact per line: {@code WRAP proxy=<bool> physical=<class> resilient=<interface|none>}
 * (what {@code DriverManager} handed out: with the agent one resilient proxy over the real
 * connection, never a proxy over a proxy), {@code READY} once the clients run, {@code PROGRESS
 * <committed> <errors>} (failed transfers and reads) about five times a second, the result as {@link ResultLines}, then
 * {@code METRICS retries=.. reconnects=.. replays=..} (read over JMX when the agent publishes
 * there, else {@code METRICS none}) and {@code DONE}. {@code STOP} on stdin, or stdin closing (the
 * parent died), ends the run early.
 */
public final class LedgerApp {
    public static final String URL_ENV = "LEDGER_APP_URL";
    private static final Pattern COUNTER = Pattern.compile("resilient\\..+\\.(retries\\.[a-z_]+|connect\\.retries|reconnect\\.count|replay\\.count)");

    private LedgerApp() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: LedgerApp url|- clients durationMs [accounts [seed]]");
            System.exit(2);
        }
        String url = args[0].equals("-") ? System.getenv(URL_ENV) : args[0];
        if (url == null) {
            System.err.println("LedgerApp: url '-' but " + URL_ENV + " is not set");
            System.exit(2);
        }
        int clients = Integer.parseInt(args[1]);
        Duration duration = Duration.ofMillis(Long.parseLong(args[2]));
        int accounts = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 2026;
        PrintStream out = System.out;

        try (Connection probe = DriverManager.getConnection(url)) {
            out.println("WRAP proxy=" + Proxy.isProxyClass(probe.getClass()) + " physical=" + PhysicalClass.of(probe)
                    + " resilient=" + resilientInterface(probe));
        }
        LedgerWorkload workload = LedgerWorkload.builder(url).accounts(accounts).clients(clients).readShare(0.2)
                .duration(duration).seed(seed).build();
        CountDownLatch stop = new CountDownLatch(1);
        try (LedgerRun run = workload.start()) {
            Thread stdin = new Thread(() -> awaitStop(run, stop), "ledger-app-stdin");
            stdin.setDaemon(true);
            stdin.start();
            out.println("READY");
            long deadline = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < deadline && !stop.await(Math.min(200_000_000L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                out.println("PROGRESS " + run.committedSoFar() + " " + run.errorsSoFar());
            }
            out.println("PROGRESS " + run.committedSoFar() + " " + run.errorsSoFar());
            ResultLines.write(run.awaitResult(), out::println);
        }
        out.println("METRICS " + metrics());
        out.println("DONE");
        out.flush();
        // The agent's pools and reporters may keep non-daemon threads; the app's work is done.
        System.exit(0);
    }

    private static void awaitStop(LedgerRun run, CountDownLatch stop) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.trim().equals("STOP")) {
                    break;
                }
            }
        } catch (Exception ignored) {
            // stdin gone: the parent died; stop as if told to
        }
        run.stop();
        stop.countDown();
    }

    // By name only: the app carries no resilient-jdbc type (the agent's copy is relocated anyway).
    private static String resilientInterface(Connection c) {
        for (Class<?> i : c.getClass().getInterfaces()) {
            if (i.getSimpleName().equals("ResilientProxy")) {
                return i.getName();
            }
        }
        return "none";
    }

    /** Retries (all failure classes and connects), reconnects and replays the agent published over JMX, summed over targets. */
    private static String metrics() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> sums = new TreeMap<>(Map.of("retries", 0L, "reconnects", 0L, "replays", 0L));
        boolean any = false;
        for (ObjectName name : server.queryNames(null, null)) {
            String metric = name.getKeyProperty("name");
            if (metric == null) {
                continue;
            }
            if (metric.startsWith("\"")) {
                metric = ObjectName.unquote(metric);
            }
            Matcher m = COUNTER.matcher(metric);
            if (!m.matches()) {
                continue;
            }
            try {
                long v = ((Number) server.getAttribute(name, "Value")).longValue();
                String key = m.group(1).equals("reconnect.count") ? "reconnects" : m.group(1).equals("replay.count") ? "replays" : "retries";
                sums.merge(key, v, Long::sum);
                any = true;
            } catch (Exception unreadable) {
                // not a gauge we can read; leave it out
            }
        }
        if (!any) {
            return "none";
        }
        return "retries=" + sums.get("retries") + " reconnects=" + sums.get("reconnects") + " replays=" + sums.get("replays");
    }
}
