package dev.resilientjdbc.config;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResilientUrlTest {

    @Test
    void acceptsOnlyThePrefixFollowedByASubprotocol() {
        assertTrue(ResilientUrl.accepts("jdbc:resilient:postgresql://h/db"));
        assertTrue(ResilientUrl.accepts("jdbc:resilient:sqlite::memory:"));
        assertTrue(ResilientUrl.accepts("jdbc:resilient:sqlite:/tmp/a.db?resilient.enabled=true"));
        assertFalse(ResilientUrl.accepts(null));
        assertFalse(ResilientUrl.accepts(""));
        assertFalse(ResilientUrl.accepts("jdbc:postgresql://h/db"));
        assertFalse(ResilientUrl.accepts("jdbc:resilient:"));
        assertFalse(ResilientUrl.accepts("jdbc:resilient:postgresql"));
        assertFalse(ResilientUrl.accepts("jdbc:resilient://h/db"));
        assertFalse(ResilientUrl.accepts("jdbc:resilient:resilient:postgresql://h/db"));
        assertFalse(ResilientUrl.accepts("JDBC:RESILIENT:postgresql://h/db"));
        assertFalse(ResilientUrl.accepts("xjdbc:resilient:postgresql://h/db"));
    }

    @Test
    void stripsOnlyThePrefixAndOurParameters() throws SQLException {
        ResilientUrl u = ResilientUrl.parse(
                "jdbc:resilient:postgresql://h:5432/db?resilient.enabled=false&sslmode=require&ApplicationName=a%20b");
        assertEquals("jdbc:postgresql://h:5432/db?sslmode=require&ApplicationName=a%20b", u.realUrl());
        assertEquals(Map.of("resilient.enabled", "false"), u.options());
    }

    @Test
    void dropsTheQuestionMarkWhenOnlyOurParametersWereThere() throws SQLException {
        assertEquals("jdbc:postgresql://h/db", ResilientUrl.parse("jdbc:resilient:postgresql://h/db?resilient.enabled=true").realUrl());
        assertEquals("jdbc:postgresql://h/db?a=1&b=2",
                ResilientUrl.parse("jdbc:resilient:postgresql://h/db?a=1&resilient.enabled=true&b=2").realUrl());
    }

    @Test
    void decodesOurValuesAndLeavesEverythingElseByteForByte() throws SQLException {
        ResilientUrl u = ResilientUrl.parse("jdbc:resilient:sqlite:/tmp/x%20y.db?resilient.enabled=%74rue&journal_mode=WAL&&");
        assertEquals("jdbc:sqlite:/tmp/x%20y.db?journal_mode=WAL&&", u.realUrl());
        assertEquals("true", u.options().get("resilient.enabled"));
    }

    @Test
    void urlWithoutQueryPassesThrough() throws SQLException {
        assertEquals("jdbc:sqlite::memory:", ResilientUrl.parse("jdbc:resilient:sqlite::memory:").realUrl());
    }

    @Test
    void malformedUrlsAreClearErrors() {
        SQLException noSub = assertThrows(SQLException.class, () -> ResilientUrl.parse("jdbc:resilient://h/db"));
        assertTrue(noSub.getMessage().contains("subprotocol"), noSub.getMessage());
        assertEquals("08001", noSub.getSQLState());
        SQLException nested = assertThrows(SQLException.class,
                () -> ResilientUrl.parse("jdbc:resilient:resilient:postgresql://h/db"));
        assertTrue(nested.getMessage().contains("once"), nested.getMessage());
        SQLException noValue = assertThrows(SQLException.class,
                () -> ResilientUrl.parse("jdbc:resilient:postgresql://h/db?resilient.enabled"));
        assertTrue(noValue.getMessage().contains("resilient.enabled=<value>"), noValue.getMessage());
        SQLException twice = assertThrows(SQLException.class,
                () -> ResilientUrl.parse("jdbc:resilient:postgresql://h/db?resilient.enabled=true&resilient.enabled=false"));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        SQLException badEscape = assertThrows(SQLException.class,
                () -> ResilientUrl.parse("jdbc:resilient:postgresql://h/db?resilient.enabled=%zz"));
        assertTrue(badEscape.getMessage().contains("%zz"), badEscape.getMessage());
    }

    @Test
    void errorsNeverShowPasswords() {
        SQLException e = assertThrows(SQLException.class,
                () -> ResilientUrl.parse("jdbc:resilient://u:hunter2@h/db?password=hunter2&resilient.enabled"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void maskingHidesPasswordsInQueriesAndUserInfo() {
        assertEquals("jdbc:postgresql://h/db?user=app&password=***&sslmode=require",
                UrlMasking.mask("jdbc:postgresql://h/db?user=app&password=s3cret&sslmode=require"));
        assertEquals("jdbc:postgresql://app:***@h/db", UrlMasking.mask("jdbc:postgresql://app:s3cret@h/db"));
        assertEquals("jdbc:sqlserver://h;user=a;password=***;db=x", UrlMasking.mask("jdbc:sqlserver://h;user=a;password=p;db=x"));
        assertEquals("jdbc:postgresql://h?sslpassword=***&sslkeyPassword=***", UrlMasking.mask("jdbc:postgresql://h?sslpassword=a&sslkeyPassword=b"));
        assertEquals("jdbc:x://h?sslpassword=***", UrlMasking.mask("jdbc:x://h?sslpassword=a&sslkeyPassword=b"));
        assertEquals("null", UrlMasking.mask((String) null));
    }
}
