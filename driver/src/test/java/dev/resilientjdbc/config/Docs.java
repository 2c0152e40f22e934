package dev.resilientjdbc.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The documentation the doc tests read, as paths from the repository root: the front page README.md and
 * every docs/*.md (where the mechanics, the option table and the contract live). agent/README.md is not
 * among them: it names the agent's own settings ({@code resilient.agent.config}, ...) and a misspelt option
 * on purpose, to show what a configuration error prints.
 * Listed from the disk, so a page added under docs/ is checked without touching a test; the pages the
 * front page moved text to must be among them, so that a missing one fails instead of being skipped.
 */
final class Docs {
    static final Path ROOT = Path.of("..");
    static final List<String> REQUIRED = List.of("README.md", "docs/DESIGN.md", "docs/OPTIONS.md", "docs/USAGE.md",
            "docs/RECOVERY.md", "docs/HA.md", "docs/SQLITE.md", "docs/POOLING.md", "docs/OBSERVABILITY.md",
            "docs/DEMO.md", "docs/TESTING.md");

    private Docs() {}

    static List<String> files() {
        List<String> files = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.map(p -> "docs/" + p.getFileName()).filter(n -> n.endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!files.containsAll(REQUIRED)) {
            throw new IllegalStateException("documentation pages missing: " + REQUIRED.stream().filter(r -> !files.contains(r)).toList());
        }
        return files;
    }
}
