package dev.resilientjdbc.testkit.pg;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How {@link PostgresExtension} builds the server for a test class. Read from the top-level test
 * class (nested classes share their outer class's server). Absent means all defaults.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface PgSettings {

    /** See {@link PgServer.Builder#crashSafe(boolean)}; required by any test that crashes or kills the server. */
    boolean crashSafe() default false;

    int maxConnections() default 100;

    String database() default "test";

    /** Extra server settings as {@code "key=value"}, passed as {@code -c key=value}. */
    String[] settings() default {};

    /** Whether the server belongs to this class alone or is shared with other classes asking for the same settings. */
    Scope scope() default Scope.CLASS;

    enum Scope {
        /** One server for this test class, closed after its last test. */
        CLASS,
        /**
         * One server for the whole run, shared by every class with {@code SUITE} scope and equal
         * settings, closed when the test engine finishes. Saves start-ups, but classes then see each
         * other's tables: use it for classes that create uniquely named objects.
         */
        SUITE
    }
}
