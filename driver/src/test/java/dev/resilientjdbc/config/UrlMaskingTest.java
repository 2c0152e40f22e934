package dev.resilientjdbc.config;

import dev.resilientjdbc.ResilientDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A secret value is masked whole, as the real driver would read it. */
class UrlMaskingTest {
    // Every password below ends in this, so a test can see that no part of it got through.
    private static final String TAIL = "Hunter2Secret";

    @ParameterizedTest
    @ValueSource(strings = {"abc;", "a&b=c;", "a%26b;", "p=q;", "pässwörd€;", "x;y=z&w;", ";", "{a;b}", "日本;語", "@;"})
    void ampersandDriversHideTheValueUpToTheNextAmpersand(String password) {
        String url = "jdbc:postgresql://h/db?user=app&password=" + password.replace("&", ";") + TAIL + "&sslmode=require";
        assertEquals("jdbc:postgresql://h/db?user=app&password=***&sslmode=require", UrlMasking.mask(url));
        String resilient = "jdbc:resilient:sqlite:/tmp/a.db?password=" + password.replace("&", "%26") + TAIL;
        assertEquals("jdbc:resilient:sqlite:/tmp/a.db?password=***", UrlMasking.mask(resilient));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc&", "a&b=c&", "a%26b", "p=q?", "pässwörd€&", "x?y=z&w", "日本&語", "@&"})
    void semicolonDriversHideTheValueUpToTheNextSemicolon(String password) {
        assertEquals("jdbc:h2:mem:app;USER=sa;PASSWORD=***;MODE=PostgreSQL",
                UrlMasking.mask("jdbc:h2:mem:app;USER=sa;PASSWORD=" + password + TAIL + ";MODE=PostgreSQL"));
        assertEquals("jdbc:sqlserver://h:1433;databaseName=app;password=***;encrypt=true",
                UrlMasking.mask("jdbc:sqlserver://h:1433;databaseName=app;password=" + password + TAIL + ";encrypt=true"));
    }

    @Test
    void sqlServerBracesKeepSemicolonsInsideTheValue() {
        assertEquals("jdbc:sqlserver://h;password=***;encrypt=true",
                UrlMasking.mask("jdbc:sqlserver://h;password={a;b}" + TAIL + ";encrypt=true"));
    }

    @Test
    void aSecretInsideAnotherValueIsStillMasked() {
        // pgjdbc reads user as "x;password=..." — the secret is in it all the same
        String masked = UrlMasking.mask("jdbc:postgresql://h/db?user=x;password=" + TAIL + "&ssl=true");
        assertEquals("jdbc:postgresql://h/db?user=x;password=***&ssl=true", masked);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:x://h?password=a;b&c=1;d | jdbc:x://h?password=***&c=1;d",
            "jdbc:x:db;password=a&b;c=1 | jdbc:x:db;password=***;c=1",
    })
    void unknownDriversHideUpToWhereEitherConventionWouldEnd(String url, String expected) {
        assertEquals(expected, UrlMasking.mask(url));
    }

    @Test
    void userInfoPasswordsMayHoldAnAt() {
        assertEquals("jdbc:mysql://app:***@h/db", UrlMasking.mask("jdbc:mysql://app:p@ss" + TAIL + "@h/db"));
    }

    @Test
    void dataSourceToStringMasksTheWholeValue() {
        ResilientDataSource ds = new ResilientDataSource();
        ds.setUrl("jdbc:resilient:postgresql://h/db?password=abc;" + TAIL + "&sslmode=require");
        assertEquals("ResilientDataSource[jdbc:resilient:postgresql://h/db?password=***&sslmode=require]", ds.toString());
        ds.setUrl("jdbc:resilient:h2:mem:app;PASSWORD=a&b" + TAIL + ";USER=sa");
        assertFalse(ds.toString().contains(TAIL), ds.toString());
        assertFalse(ds.toString().contains("b"+ TAIL), ds.toString());
    }
}
