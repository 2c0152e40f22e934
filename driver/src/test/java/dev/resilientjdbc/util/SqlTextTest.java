package dev.resilientjdbc.util;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which statements change PostgreSQL session state a new connection would not have, and under which name. */
class SqlTextTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SET search_path TO app, public         | SET       | search_path",
        "set search_path=app                    | SET       | search_path",
        "SET SESSION search_path = app          | SET       | search_path",
        "SET SCHEMA 'app'                       | SET       | search_path",
        "  /* why */ SET TIME ZONE 'UTC';       | SET       | timezone",
        "SET timezone = 'UTC'                   | SET       | timezone",
        "SET ROLE reporting                     | SET       | role",
        "SET SESSION AUTHORIZATION bob          | SET       | session authorization",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY | SET | session characteristics",
        "RESET search_path                      | RESET     | search_path",
        "RESET TIME ZONE                        | RESET     | timezone",
        "RESET SESSION AUTHORIZATION            | RESET     | session authorization",
        "RESET ALL                              | RESET_ALL | ",
        "DISCARD ALL                            | RESET_ALL | ",
        "SET LOCAL search_path TO app           | NONE      | ",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE | NONE | ",
        "SET search_path TO app; DELETE FROM t  | NONE      | ",
        "SELECT set_config('search_path', 'app', false) | NONE | ",
        "DISCARD PLANS                          | NONE      | ",
        "INSERT INTO settings VALUES ('SET x')  | NONE      | ",
    })
    void sessionChanges(String sql, SqlText.SessionChange.Kind kind, String name) {
        SqlText.SessionChange c = SqlText.sessionChange(sql);
        assertEquals(kind, c.kind, sql);
        assertEquals(name, c.name, sql);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SET application_name = 'a;b'           | SET",
        "SET application_name = 'a;b'; SELECT 1 | NONE",
    })
    void aSemicolonInsideALiteralIsNotASecondStatement(String sql, SqlText.SessionChange.Kind kind) {
        assertEquals(kind, SqlText.sessionChange(sql).kind, sql);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SELECT id, v FROM t WHERE id = ? FOR UPDATE                       | true",
        "  /* lock */ select * from t for no key update skip locked        | true",
        "SELECT * FROM t FOR SHARE OF t NOWAIT                             | true",
        "WITH x AS (SELECT id FROM t) SELECT * FROM x, t FOR KEY SHARE OF t | true",
        "SELECT * FROM t WHERE note = 'for update' FOR UPDATE              | true",
        "SELECT * FROM t                                                   | false",
        "SELECT * FROM t WHERE note = 'for update'                         | false",
        "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d FOR UPDATE  | false",
        "SELECT nextval('s') FROM t FOR UPDATE                             | false",
        "UPDATE t SET v = 1 WHERE id = 2                                   | false",
        "SELECT * INTO copy_t FROM t FOR UPDATE                            | false",
    })
    void lockingReads(String sql, boolean locking) {
        assertEquals(locking, SqlText.isLockingRead(sql), sql);
    }
}
