package dev.resilientjdbc.it.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's Chromium, headless, for tests that look at a page as a person would: a screenshot kept
 * under {@code target/screenshots/} (for a person to open) and the DOM after the page's scripts ran.
 * Tests skip without it ({@code .ci/run} installs it).
 */
public final class HeadlessChromium {
    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Path OUT = Path.of("target", "screenshots");

    private final List<String> common;

    private HeadlessChromium(int width, int height) throws IOException {
        Files.createDirectories(OUT);
        Path profile = Files.createTempDirectory(OUT, "chromium-profile");
        common = List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--virtual-time-budget=5000");
    }

    /** For a test that looks through a browser only as an extra, and goes on without one. */
    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** A browser with a window of that size; skips the calling test when Chromium is not installed. */
    public static HeadlessChromium window(int width, int height) throws IOException {
        assumeTrue(installed(), "Debian's chromium is not installed: .ci/run installs it; skipping the browser test");
        return new HeadlessChromium(width, height);
    }

    /** Saves a screenshot of {@code url} as {@code target/screenshots/<name>} and returns its absolute path. */
    public Path screenshot(String url, String name) throws Exception {
        Path png = OUT.resolve(name).toAbsolutePath();
        Files.deleteIfExists(png);
        run("--screenshot=" + png, url);
        assertTrue(Files.isRegularFile(png) && Files.size(png) > 5_000, "a real screenshot was kept at " + png);
        return png;
    }

    /** The DOM of {@code url} after its scripts ran. */
    public String dom(String url) throws Exception {
        return run("--dump-dom", url);
    }

    private String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(common);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        return new String(out, StandardCharsets.UTF_8);
    }
}
