package dev.resilientjdbc.testkit.sqlite;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JUnit 5 extension injecting {@link SqliteFiles}: a fresh directory under
 * {@code target/sqlite-tests/} for each test (or, when asked for in {@code @BeforeAll} or a
 * constructor, for the class), deleted when that test (or class) is done. Parameters resolved for
 * the same test — in {@code @BeforeEach}, the test and {@code @AfterEach} — get the same instance.
 */
public final class SqliteExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SqliteExtension.class);
    private static final Path BASE = Path.of("target", "sqlite-tests");

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == SqliteFiles.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(SqliteFiles.class, key -> newFiles(context), StoredFiles.class)
                .files;
    }

    private static StoredFiles newFiles(ExtensionContext context) {
        String prefix = context.getTestClass().map(Class::getSimpleName).orElse("sqlite")
                + context.getTestMethod().map(m -> "-" + m.getName()).orElse("") + "-";
        try {
            Path base = BASE.toAbsolutePath().normalize();
            Files.createDirectories(base);
            return new StoredFiles(new SqliteFiles(Files.createTempDirectory(base, prefix)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Closed by JUnit when the owning context ends, whether or not the store closes plain AutoCloseables.
    @SuppressWarnings("deprecation")
    private static final class StoredFiles implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        private final SqliteFiles files;

        StoredFiles(SqliteFiles files) {
            this.files = files;
        }

        @Override
        public void close() {
            files.close();
        }
    }
}
