package dev.resilientjdbc.testkit.pg;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that runs against a real embedded PostgreSQL: {@link PgServer} parameters are
 * injected into constructors, lifecycle methods and tests. Configure with {@link PgSettings}; see
 * {@link PostgresExtension} for how servers are shared and healed between tests.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PostgresExtension.class)
public @interface PgTest {
}
