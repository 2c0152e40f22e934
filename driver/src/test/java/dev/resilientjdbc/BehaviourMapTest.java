package dev.resilientjdbc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The map in docs/DESIGN.md ("Where each behaviour lives") names classes that exist, and covers every
 * behaviour it promises; and every {@code dev.resilientjdbc.…} name in README.md and docs/*.md is a
 * class or package of the reactor. A class renamed or moved to another package fails this test
 * until the docs follow (as {@code DocsOptionNamesTest} does for option names).
 */
class BehaviourMapTest {
    private static final Path ROOT = Path.of("..");
    private static final String HEADING = "## Where each behaviour lives";
    private static final Pattern NAME = Pattern.compile("dev\\.resilientjdbc(?:\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final List<String> BEHAVIOURS = List.of("entry points", "proxies", "options", "classification", "retry",
            "reconnect", "session restore", "replay", "commit and in-doubt", "SQLite gate", "pool", "metrics", "health", "agent");
    /** Names the docs give that are neither class nor package of ours: keep it short and say why. */
    private static final Set<String> NOT_OURS = Set.of(
            "dev.resilientjdbc.shaded");   // the bundle jar's relocation prefix for its libraries (bundle/pom.xml)

    @Test
    void everyClassTheMapNamesExists() throws IOException {
        List<String> rows = mapRows();
        List<String> missing = new ArrayList<>();
        int named = 0;
        for (String row : rows) {
            Matcher m = NAME.matcher(row);
            while (m.find()) {
                named++;
                if (!isClass(m.group())) {
                    missing.add(m.group());
                }
            }
        }
        assertTrue(named >= 40, "the map names " + named + " classes");
        assertEquals(List.of(), missing, "docs/DESIGN.md's behaviour map names classes that do not exist");
    }

    @Test
    void theMapCoversEveryBehaviour() throws IOException {
        List<String> rows = mapRows();
        List<String> uncovered = BEHAVIOURS.stream()
                .filter(b -> rows.stream().noneMatch(r -> r.startsWith("| " + b)))
                .toList();
        assertEquals(List.of(), uncovered, "behaviours without a row in docs/DESIGN.md's map");
    }

    @Test
    void everyNameTheDocsGiveExists() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String doc : docs()) {
            Matcher m = NAME.matcher(Files.readString(ROOT.resolve(doc)));
            while (m.find()) {
                if (!exists(m.group())) {
                    missing.add(doc + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), missing, "names of classes or packages that do not exist");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.resilientjdbc.reconnect.LogicalConnection", "dev.resilientjdbc.sqlite.backup.Check",
            "dev.resilientjdbc.connection.LogicalConection", "dev.resilientjdbc.nosuch"})
    void aGoneNameIsFound(String name) {
        assertTrue(!exists(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.resilientjdbc.connection.LogicalConnection", "dev.resilientjdbc.config.Check",
            "dev.resilientjdbc.sqlite.backup", "dev.resilientjdbc.proxy.ResilientProxy.class",
            "dev.resilientjdbc.metrics.micrometer.ResilientMicrometer.bindTo", "dev.resilientjdbc.agent.ResilientAgent",
            "dev.resilientjdbc.demo.legacy.LedgerApp"})
    void aRealNamePasses(String name) {
        assertTrue(exists(name), name);
    }

    /** The table rows of the map section of docs/DESIGN.md, header rows left out. */
    private static List<String> mapRows() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("docs/DESIGN.md"));
        int start = lines.indexOf(HEADING);
        assertTrue(start >= 0, "docs/DESIGN.md has the section " + HEADING);
        List<String> rows = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (line.startsWith("|") && !line.startsWith("|---") && !line.startsWith("| behaviour")) {
                rows.add(line);
            }
        }
        return rows;
    }

    private static List<String> docs() {
        List<String> files = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> d = Files.list(ROOT.resolve("docs"))) {
            d.map(p -> "docs/" + p.getFileName()).filter(n -> n.endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /**
     * A dotted name the docs give: a package, a class, or a class followed by a member
     * ({@code ResilientMicrometer.bindTo}, {@code ResilientProxy.class}); the class part is the name up
     * to its first capitalised segment.
     */
    static boolean exists(String name) {
        if (NOT_OURS.contains(name)) {
            return true;
        }
        String[] parts = name.split("\\.");
        StringBuilder prefix = new StringBuilder();
        for (String p : parts) {
            if (!prefix.isEmpty()) {
                prefix.append('.');
            }
            prefix.append(p);
            if (Character.isUpperCase(p.charAt(0))) {
                return isClass(prefix.toString());
            }
        }
        return sourceRoots().stream().anyMatch(r -> Files.isDirectory(r.resolve(name.replace('.', '/'))));
    }

    /** Whether a top-level class of this name has a source file in some module of the reactor. */
    static boolean isClass(String fqcn) {
        String file = fqcn.replace('.', '/') + ".java";
        return sourceRoots().stream().anyMatch(r -> Files.isRegularFile(r.resolve(file)));
    }

    private static Set<Path> sourceRoots() {
        Set<Path> roots = new LinkedHashSet<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))).forEach(m -> {
                for (String set : List.of("main", "test")) {
                    Path r = m.resolve("src").resolve(set).resolve("java");
                    if (Files.isDirectory(r)) {
                        roots.add(r);
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return roots;
    }
}
