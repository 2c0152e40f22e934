package dev.resilientjdbc.it.demo;

import dev.resilientjdbc.it.browser.HeadlessChromium;
import dev.resilientjdbc.demo.DemoMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML report of a real, short demo run on SQLite (the ledger and the busy writers, real
 * SQLITE_BUSY on the raw side), checked against the run's own figures and then opened in a headless
 * Chromium as a person would: the screenshot stays at {@code target/screenshots/demo-report.png}.
 * {@link DemoMainTest} checks the same page for the PostgreSQL workloads and their faults.
 */
class DemoReportTest {
    @TempDir
    static Path dir;
    private static String out;

    @BeforeAll
    static void run() {
        CommandLine cmd = DemoMain.commandLine();
        StringWriter text = new StringWriter();
        cmd.setOut(new PrintWriter(text, true));
        cmd.setErr(new PrintWriter(text, true));
        int exit = cmd.execute("--no-postgres", "--sqlite", "--duration", "1500ms", "--threads", "3", "--report-dir", dir.toString());
        out = text.toString();
        assertEquals(0, exit, out);
    }

    @Test
    void oneChartPerWorkloadWithBothSidesErrorsAndTheHeadline() throws Exception {
        String html = ReportPageCheck.assertTellsTheRun(dir);
        List<Map<String, Object>> runs = ReportJson.runs(dir);
        assertEquals(List.of("SQLite ledger", "SQLite busy writers"), runs.stream().map(r -> r.get("workload")).distinct().toList());
        long rawErrors = runs.stream().filter(r -> r.get("side").equals("raw")).mapToLong(r -> ((Number) r.get("errors")).longValue()).sum();
        assertTrue(rawErrors > 0, "the raw side met no SQLITE_BUSY, so there was nothing to mark: " + runs);
        assertTrue(html.contains("class=\"err\""), "the raw side's errors are marked");
        assertTrue(out.contains("raw driver: " + rawErrors + " errors reached the application."), "the console says the same: " + out);
    }

    @Test
    void pageRendersInHeadlessChromium() throws Exception {
        HeadlessChromium browser = HeadlessChromium.window(1280, 1400);
        String page = dir.resolve("resilient-demo-report.html").toUri().toString();
        Path png = browser.screenshot(page, "demo-report.png");
        String dom = browser.dom(page);
        assertEquals(2, dom.split("<svg class=\"chart\"", -1).length - 1, "both charts are in the page the browser built");
        // Both sides were drawn: each colour covers more than its legend swatches (22x4 px per chart) and lane labels.
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(pixels(image, 0xef6c00) > 600, "the raw side's series and error marks are on screen: " + png);
        assertTrue(pixels(image, 0x1565c0) > 600, "the resilient side's series is on screen: " + png);
    }

    /** Pixels within a small distance of {@code rgb} (anti-aliased edges do not count). */
    private static int pixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int d = Math.abs(((p >> 16) & 0xff) - ((rgb >> 16) & 0xff)) + Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff))
                        + Math.abs((p & 0xff) - (rgb & 0xff));
                n += d < 40 ? 1 : 0;
            }
        }
        return n;
    }
}
