package dev.resilientjdbc.config;

import dev.resilientjdbc.ResilientDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every call into the driver that the README and docs/*.md name exists: in each code span
 * {@code `Class.member(...)...`} whose class is one of the driver's, the member is a method or field
 * of it, and each further {@code .call()} is a method of what the previous one returns. The README
 * once told users that pools close on {@code Pools.shutdown()}, a method that never existed.
 */
class DocsApiNamesTest {
    private static final Pattern SPAN = Pattern.compile("`([A-Z][A-Za-z0-9]*)((?:\\.[A-Za-z_][A-Za-z0-9_]*(?:\\([^)`]*\\))?)+)");
    private static final Pattern STEP = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_]*)(\\()?");

    /** The driver's top-level classes by simple name. */
    private static final Map<String, List<Class<?>>> OURS = driverClasses();

    private static Map<String, List<Class<?>>> driverClasses() {
        try {
            Path root = Path.of(ResilientDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Map<String, List<Class<?>>> bySimpleName = new HashMap<>();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String rel = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                    if (!rel.endsWith(".class") || rel.contains("$") || rel.endsWith("package-info.class")) {
                        continue;
                    }
                    Class<?> c = Class.forName(rel.substring(0, rel.length() - 6).replace('/', '.'), false,
                            DocsApiNamesTest.class.getClassLoader());
                    bySimpleName.computeIfAbsent(c.getSimpleName(), k -> new ArrayList<>()).add(c);
                }
            }
            return bySimpleName;
        } catch (IOException | URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot list the driver's classes", e);
        }
    }

    static java.util.List<String> docs() {
        return Docs.files();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("docs")
    void everyDriverCallTheDocsNameExists(String doc) throws IOException {
        Path file = Path.of("..").resolve(doc);
        assertTrue(Files.exists(file), doc + " at the repository root");
        assertEquals(List.of(), unknownCalls(Files.readString(file)), doc + " names calls the driver does not have");
    }

    @Test
    void aCallThatDoesNotExistIsFound() {
        assertEquals(List.of("Pools.shutdown()"), unknownCalls("Pools close on `Pools.shutdown()`, on ..."));
        assertEquals(List.of("ResilientDriver.targets().shutdown()"), unknownCalls("`ResilientDriver.targets().shutdown()`"));
        assertEquals(List.of("RerunRules.noSuchRule"), unknownCalls("`RerunRules.noSuchRule`"));
    }

    @Test
    void realCallsAndOtherLibrariesPass() {
        assertEquals(List.of(), unknownCalls("`ResilientDriver.targets().close()`, `ResilientDriver.deregister()`,"
                + " `Pools.create`, `DriverManager.getConnection`, `Metrics.globalRegistry`"));
    }

    /** The code spans of {@code text} that call into one of the driver's classes something it does not have. */
    static List<String> unknownCalls(String text) {
        List<String> unknown = new ArrayList<>();
        Matcher m = SPAN.matcher(text);
        while (m.find()) {
            List<Class<?>> candidates = OURS.get(m.group(1));
            if (candidates == null) {
                continue; // JDK, HikariCP, Micrometer...: not ours to check
            }
            if (candidates.stream().noneMatch(c -> resolves(c, m.group(2)))) {
                unknown.add(m.group(1) + m.group(2));
            }
        }
        return unknown;
    }

    /** Whether each step of {@code chain} ({@code .a().b}) is a member of what the step before it gives. */
    private static boolean resolves(Class<?> start, String chain) {
        Class<?> at = start;
        Matcher step = STEP.matcher(chain);
        while (step.find()) {
            String name = step.group(1);
            boolean call = step.group(2) != null;
            Method method = method(at, name);
            if (method != null) {
                at = method.getReturnType();
                continue;
            }
            Field field = call ? null : field(at, name);
            if (field == null) {
                return false;
            }
            at = field.getType();
        }
        return true;
    }

    private static Method method(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name)) {
                    return m;
                }
            }
        }
        for (Method m : c.getMethods()) { // interface defaults and inherited interface methods
            if (m.getName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    private static Field field(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    return f;
                }
            }
        }
        return null;
    }
}
