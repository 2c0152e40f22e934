package dev.resilientjdbc.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every option the README and docs/*.md (DESIGN.md, OPTIONS.md, ...) name exists: each {@code resilient.xxx} token (and each
 * {@code RESILIENT_XXX} environment variable) is an option of {@link ResilientOptions#REGISTRY}, so a
 * renamed or removed option cannot live on in the docs (DESIGN.md once promised
 * {@code resilient.maxRetries} and {@code resilient.replayMaxBytes}, which never existed).
 */
class DocsOptionNamesTest {
    private static final Pattern KEY = Pattern.compile("resilient\\.[A-Za-z0-9_.<>*]*[A-Za-z0-9_>*]");
    private static final Pattern ENV = Pattern.compile("\\bRESILIENT_[A-Z0-9_]*[A-Z0-9]");

    /** Tokens that look like options and are not: keep this list short and say why each is here. */
    private static final Set<String> NOT_OPTIONS = Set.of(
            "resilient.agent.include", "resilient.agent.exclude",   // the java agent's own settings (AgentSettings)
            "resilient.<target>.<category>.<metric>",               // the metric name pattern
            "resilient.postgresql_db1_5432_app.calls.query",        // an example metric name
            // the server's transaction-local settings an inline exactly-once write sets (PostgresInDoubt.inlineText)
            "resilient.marker_sequence", "resilient.marker_slot");

    /** The Micrometer binding's meter names ({@code resilient.calls}, ...): names the docs give them, not options. */
    private static final Set<String> METER_NAMES = meterNames();

    private static Set<String> meterNames() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry r = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.globalRegistry.add(r);
        try {
            dev.resilientjdbc.retry.TargetGuard guard = new dev.resilientjdbc.retry.TargetGuard("jdbc:sqlite:x",
                    dev.resilientjdbc.retry.RetrySettings.from(ResilientConfig.defaults()));
            guard.fallback(List.of("h1:5432", "h2:5432")); // its meters exist with resilient.readOnlyFallback only
            try (var bound = dev.resilientjdbc.metrics.micrometer.ResilientMicrometer.globalMeters().bind(guard, "docs")) {
                return r.getMeters().stream().map(m -> m.getId().getName()).collect(java.util.stream.Collectors.toUnmodifiableSet());
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            io.micrometer.core.instrument.Metrics.globalRegistry.remove(r);
        }
    }

    static java.util.List<String> docs() {
        return Docs.files();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("docs")
    void everyOptionTheDocsNameExists(String doc) throws IOException {
        Path file = Path.of("..").resolve(doc);
        assertTrue(Files.exists(file), doc + " at the repository root");
        List<String> unknown = unknownNames(Files.readString(file));
        assertEquals(List.of(), unknown, doc + " names options that do not exist (known: "
                + ResilientOptions.REGISTRY.all().stream().map(Option::key).toList() + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"resilient.maxRetries", "RESILIENT_MAX_RETRIES", "resilient.replayMaxBytes", "resilient.pol.*",
            "`resilient.retry.maxAttempt`", "-Dresilient.retry.maxattempts=5"})
    void aNameThatIsNoOptionIsFound(String text) {
        assertEquals(1, unknownNames("see " + text + " here").size(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resilient.retry.maxAttempts", "RESILIENT_RETRY_MAX_ATTEMPTS", "`resilient.pool.*`", "`resilient.*`",
            "-Dresilient.retry.maxAttempts=5", "(`resilient.replay.maxBytes`).", "dev.resilientjdbc.config.OptionTable"})
    void realNamesPass(String text) {
        assertEquals(List.of(), unknownNames("see " + text + " here"), text);
    }

    /** The option-like tokens in {@code text} that name no option. */
    static List<String> unknownNames(String text) {
        List<String> unknown = new ArrayList<>();
        Matcher m = KEY.matcher(text);
        while (m.find()) {
            String token = m.group();
            if (NOT_OPTIONS.contains(token) || METER_NAMES.contains(token)) {
                continue;
            }
            boolean known = token.endsWith(".*")
                    ? ResilientOptions.REGISTRY.all().stream().anyMatch(o -> o.key().startsWith(token.substring(0, token.length() - 1)))
                    : ResilientOptions.REGISTRY.find(token) != null;
            if (!known) {
                unknown.add(token);
            }
        }
        Matcher env = ENV.matcher(text);
        while (env.find()) {
            if (ResilientOptions.REGISTRY.findByEnvironmentName(env.group()) == null) {
                unknown.add(env.group());
            }
        }
        return unknown;
    }
}
