package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.sqlite.SqliteExtension;
import dev.resilientjdbc.testkit.sqlite.SqliteFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.Stream;

/** Every scenario on a real SQLite file database, raw and through jdbc:resilient:, with identical observations. */
@ExtendWith(SqliteExtension.class)
class SqliteConformanceTest {

    @TestFactory
    Stream<DynamicTest> rawAndResilientAgree(SqliteFiles files) {
        return Runs.of(Dialect.SQLITE, new SqliteTarget(files.databasePath("conformance")));
    }
}
