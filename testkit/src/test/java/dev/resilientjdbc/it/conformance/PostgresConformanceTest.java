package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every scenario on a real PostgreSQL 17, raw and through jdbc:resilient:, with identical observations. */
@PgTest
class PostgresConformanceTest {

    @TestFactory
    Stream<DynamicTest> rawAndResilientAgree(PgServer server) {
        return Runs.of(Dialect.POSTGRESQL, new PgTarget(server));
    }
}
