package dev.resilientjdbc.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link of the README and docs/*.md leads somewhere: the file exists and, when the link names a
 * heading ({@code docs/RECOVERY.md#transaction-replay}), the file has that heading (GitHub's anchor rule). The
 * front page is mostly links into docs/ since the mechanics moved there; a heading renamed there must not leave
 * it pointing at nothing.
 */
class DocsLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern FENCE = Pattern.compile("(?s)```.*?```");

    static List<String> docs() {
        return Docs.files();
    }

    @ParameterizedTest
    @MethodSource("docs")
    void everyRelativeLinkResolves(String doc) throws IOException {
        assertEquals(List.of(), broken(Docs.ROOT.resolve(doc)), doc + " has links that lead nowhere");
    }

    @Test
    void aBrokenLinkIsFound() throws IOException {
        Path dir = Files.createTempDirectory("docs-links");
        Files.writeString(dir.resolve("A.md"), "# A title, with `code`\n\n## Second (part)\n");
        Path b = dir.resolve("B.md");
        Files.writeString(b, "[ok](A.md) [ok](A.md#a-title-with-code) [ok](A.md#second-part) [web](https://x.org/y)\n"
                + "[gone](C.md) [bad](A.md#third)\n```\n[in code](D.md)\n```\n");
        assertEquals(List.of("C.md", "A.md#third"), broken(b));
    }

    @Test
    void theFrontPageLinksToEveryDocsPage() throws IOException {
        String readme = Files.readString(Docs.ROOT.resolve("README.md"));
        List<String> unlinked = Docs.files().stream().filter(f -> f.startsWith("docs/"))
                .filter(f -> !readme.contains("](" + f + ")") && !readme.contains("](" + f + "#")).toList();
        assertEquals(List.of(), unlinked, "README.md links to every page under docs/");
    }

    /** The relative link targets in {@code file} whose file or heading does not exist. */
    static List<String> broken(Path file) throws IOException {
        String text = FENCE.matcher(Files.readString(file)).replaceAll("");
        List<String> broken = new ArrayList<>();
        Matcher m = LINK.matcher(text);
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("[a-z]+:.*")) {
                continue; // https:, mailto:
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            Path to = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
            if (!Files.exists(to)) {
                broken.add(target);
            } else if (hash >= 0 && !anchors(to).contains(target.substring(hash + 1))) {
                broken.add(target);
            }
        }
        return broken;
    }

    /** The anchors GitHub gives the headings of a Markdown file: lower case, punctuation dropped, spaces to '-'. */
    static Set<String> anchors(Path md) throws IOException {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : FENCE.matcher(Files.readString(md)).replaceAll("").split("\n")) {
            Matcher h = Pattern.compile("^#{1,6} (.*)").matcher(line);
            if (h.find()) {
                String slug = h.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }
}
