package dev.resilientjdbc;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver's packages form no cycle: {@code jdeps -verbose:package} on the compiled classes
 * (target/classes) gives the package → package edges within {@code dev.resilientjdbc}, and the graph
 * they make must be acyclic. A cycle fails the test with its packages in order, for example
 * {@code config → sqlite.backup → health → retry → config} (the one main had before the package cut).
 */
class PackageCycleTest {
    private static final String ROOT = "dev.resilientjdbc";
    // jdeps -verbose:package prints "   <from package>   -> <to package>   <where>" under each archive
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+\\S.*$");

    @Test
    void theDriversPackagesFormNoCycle() {
        Map<String, Set<String>> graph = packageGraph(Path.of("target", "classes"));
        assertTrue(graph.containsKey("config") && graph.containsKey("retry"), "jdeps saw the driver's packages: " + graph.keySet());
        List<String> cycle = cycle(graph);
        assertEquals(List.of(), cycle, "package cycle: " + String.join(" → ", cycle) + "\nedges: " + graph);
    }

    @Test
    void aCycleIsFoundAndNamed() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", new TreeSet<>(Set.of("b")));
        g.put("b", new TreeSet<>(Set.of("c", "d")));
        g.put("c", new TreeSet<>(Set.of("a")));
        g.put("d", new TreeSet<>());
        assertEquals(List.of("a", "b", "c", "a"), cycle(g));
        g.get("c").clear();
        assertEquals(List.of(), cycle(g));
    }

    @Test
    void jdepsLinesAreRead() {
        Map<String, Set<String>> g = new TreeMap<>();
        addEdges("""
                classes -> java.base
                   dev.resilientjdbc.config                           -> dev.resilientjdbc.classify                         classes
                   dev.resilientjdbc.config                           -> java.lang                                          java.base
                   dev.resilientjdbc.config                           -> dev.resilientjdbc.config                           classes
                """, g);
        assertEquals(Map.of("config", Set.of("classify")), g);
    }

    /** Package (without the {@code dev.resilientjdbc.} prefix; the root package is {@code ""}) → packages it uses. */
    static Map<String, Set<String>> packageGraph(Path classes) {
        assertTrue(Files.isDirectory(classes), classes.toAbsolutePath() + " (compile the driver first)");
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = jdeps.run(o, e, "-verbose:package", "-filter:none", classes.toString());
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, "jdeps failed: " + err.toString(StandardCharsets.UTF_8) + text);
        Map<String, Set<String>> graph = new TreeMap<>();
        addEdges(text, graph);
        return graph;
    }

    static void addEdges(String jdepsOutput, Map<String, Set<String>> graph) {
        for (String line : jdepsOutput.split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String from = local(m.group(1));
            String to = local(m.group(2));
            if (from == null || to == null) {
                continue;
            }
            graph.computeIfAbsent(from, k -> new TreeSet<>());
            if (!from.equals(to)) {
                graph.get(from).add(to);
            }
        }
    }

    private static String local(String pkg) {
        if (pkg.equals(ROOT)) {
            return "(root)";
        }
        return pkg.startsWith(ROOT + ".") ? pkg.substring(ROOT.length() + 1) : null;
    }

    /** One cycle of {@code graph}, first package repeated at the end, or an empty list when there is none. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Set<String> done = new HashSet<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            if (done.contains(start)) {
                continue;
            }
            // iterative depth-first search; 'path' is the current stack of packages
            Deque<String> path = new ArrayDeque<>();
            Deque<java.util.Iterator<String>> next = new ArrayDeque<>();
            Set<String> onPath = new HashSet<>();
            path.addLast(start);
            onPath.add(start);
            next.addLast(graph.getOrDefault(start, Set.of()).iterator());
            while (!path.isEmpty()) {
                java.util.Iterator<String> it = next.peekLast();
                if (it.hasNext()) {
                    String to = it.next();
                    if (onPath.contains(to)) {
                        List<String> c = new ArrayList<>();
                        boolean in = false;
                        for (String p : path) {
                            in |= p.equals(to);
                            if (in) {
                                c.add(p);
                            }
                        }
                        c.add(to);
                        return c;
                    }
                    if (!done.contains(to)) {
                        path.addLast(to);
                        onPath.add(to);
                        next.addLast(graph.getOrDefault(to, Set.of()).iterator());
                    }
                } else {
                    String p = path.removeLast();
                    next.removeLast();
                    onPath.remove(p);
                    done.add(p);
                }
            }
        }
        return List.of();
    }

    @Test
    void theRootIsNamedSoItsEdgesCount() {
        Map<String, Set<String>> g = new HashMap<>();
        addEdges("   dev.resilientjdbc   -> dev.resilientjdbc.metrics   classes\n"
                + "   dev.resilientjdbc.metrics   -> dev.resilientjdbc   classes\n", g);
        assertFalse(cycle(g).isEmpty(), g.toString());
    }
}
