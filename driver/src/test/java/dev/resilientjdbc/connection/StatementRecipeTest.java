package dev.resilientjdbc.connection;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recipe a statement is re-created from after a reconnect, checked on real SQLite statements. */
class StatementRecipeTest {
    private Connection first;
    private Connection second;

    @BeforeEach
    void open() throws SQLException {
        first = DriverManager.getConnection("jdbc:sqlite::memory:");
        second = DriverManager.getConnection("jdbc:sqlite::memory:");
        try (Statement s = second.createStatement()) {
            s.execute("CREATE TABLE t(a INTEGER, b TEXT)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        first.close();
        second.close();
    }

    private static Method m(Class<?> type, String name, Class<?>... params) throws NoSuchMethodException {
        return type.getMethod(name, params);
    }

    @Test
    void callsAreClassifiedOncePerMethod() throws Exception {
        assertEquals(StatementCall.PARAMETER, StatementCall.of(m(PreparedStatement.class, "setInt", int.class, int.class)));
        assertEquals(StatementCall.PARAMETER, StatementCall.of(m(PreparedStatement.class, "setString", int.class, String.class)));
        assertEquals(StatementCall.PARAMETER, StatementCall.of(m(CallableStatement.class, "setString", String.class, String.class)));
        assertEquals(StatementCall.PARAMETER_CHECKED, StatementCall.of(m(PreparedStatement.class, "setObject", int.class, Object.class)));
        assertEquals(StatementCall.PARAMETER_CHECKED,
                StatementCall.of(m(PreparedStatement.class, "setBinaryStream", int.class, InputStream.class)));
        assertEquals(StatementCall.PARAMETER_CHECKED, StatementCall.of(m(PreparedStatement.class, "setBlob", int.class, java.sql.Blob.class)));
        assertEquals(StatementCall.OUT_PARAMETER, StatementCall.of(m(CallableStatement.class, "registerOutParameter", int.class, int.class)));
        assertEquals(StatementCall.SETTING, StatementCall.of(m(Statement.class, "setFetchSize", int.class)));
        assertEquals(StatementCall.CLOSE_ON_COMPLETION, StatementCall.of(m(Statement.class, "closeOnCompletion")));
        assertEquals(StatementCall.RUN_BATCH, StatementCall.of(m(Statement.class, "executeBatch")));
        assertEquals(StatementCall.ADD_BATCH, StatementCall.of(m(PreparedStatement.class, "addBatch")));
        assertEquals(StatementCall.OTHER, StatementCall.of(m(Statement.class, "execute", String.class)));
        assertEquals(StatementCall.OTHER, StatementCall.of(m(PreparedStatement.class, "executeQuery")));
        assertTrue(StatementCall.PARAMETER.keptSetter && StatementCall.SETTING.keptSetter);
        assertFalse(StatementCall.OUT_PARAMETER.keptSetter || StatementCall.CLOSE_ON_COMPLETION.keptSetter);
    }

    private static StatementRecipe prepared(String sql) throws Exception {
        return new StatementRecipe(m(Connection.class, "prepareStatement", String.class), new Object[]{sql});
    }

    private static void observe(StatementRecipe r, Method m, Object... args) {
        assertTrue(r.observe(StatementCall.of(m), m, args), m.getName() + " should be kept");
    }

    @Test
    void recreatedStatementCarriesTheLastValueOfEachParameterAndItsSettings() throws Exception {
        StatementRecipe r = prepared("SELECT ?, ?, ?");
        Method setInt = m(PreparedStatement.class, "setInt", int.class, int.class);
        Method setString = m(PreparedStatement.class, "setString", int.class, String.class);
        observe(r, setInt, 1, 10);
        observe(r, setString, 2, "two");
        observe(r, setInt, 1, 11); // replaces parameter 1
        observe(r, m(PreparedStatement.class, "setObject", int.class, Object.class), 3, 3.5);
        observe(r, m(Statement.class, "setMaxRows", int.class), 7);
        assertTrue(r.repeatable());
        try (PreparedStatement s = (PreparedStatement) r.recreate(second); ResultSet rs = s.executeQuery()) {
            assertEquals(7, s.getMaxRows());
            assertTrue(rs.next());
            assertEquals(11, rs.getInt(1));
            assertEquals("two", rs.getString(2));
            assertEquals(3.5, rs.getDouble(3));
        }
    }

    @Test
    void aStreamMakesTheStatementUnrepeatableUntilReplacedOrCleared() throws Exception {
        StatementRecipe r = prepared("SELECT ?, ?");
        Method setObject = m(PreparedStatement.class, "setObject", int.class, Object.class);
        Method setBytes = m(PreparedStatement.class, "setBinaryStream", int.class, InputStream.class);
        observe(r, setBytes, 1, new ByteArrayInputStream(new byte[]{1}));
        observe(r, setObject, 2, new ByteArrayInputStream(new byte[]{2}));
        assertFalse(r.repeatable());
        observe(r, setObject, 2, "plain");
        assertFalse(r.repeatable(), "parameter 1 is still a stream");
        observe(r, m(PreparedStatement.class, "setInt", int.class, int.class), 1, 5);
        assertTrue(r.repeatable());
        observe(r, setBytes, 1, new ByteArrayInputStream(new byte[]{1}));
        assertFalse(r.repeatable());
        observe(r, m(PreparedStatement.class, "clearParameters"));
        assertTrue(r.repeatable());
    }

    @Test
    void snapshotsAreIndependentOfLaterBindsAndAreAppliedExactly() throws Exception {
        StatementRecipe r = prepared("INSERT INTO t VALUES (?, ?)");
        Method setInt = m(PreparedStatement.class, "setInt", int.class, int.class);
        Method setString = m(PreparedStatement.class, "setString", int.class, String.class);
        Method addBatch = m(PreparedStatement.class, "addBatch");
        observe(r, setInt, 1, 1);
        observe(r, setString, 2, "a");
        Object single = r.snapshot(false);
        observe(r, addBatch);
        observe(r, setInt, 1, 2);
        observe(r, setString, 2, "b");
        observe(r, addBatch);
        Object batch = r.snapshot(true);
        observe(r, m(Statement.class, "executeBatch")); // the application ran it: nothing pending
        observe(r, setInt, 1, 3); // bound after the last addBatch: not part of the batch
        observe(r, m(PreparedStatement.class, "setNull", int.class, int.class), 2, java.sql.Types.VARCHAR);
        try (PreparedStatement s = (PreparedStatement) r.createBare(second)) {
            r.applySnapshot(s, batch);
            assertArrayEquals(new int[]{1, 1}, s.executeBatch());
            r.applySnapshot(s, single);
            assertEquals(1, s.executeUpdate());
            // A replay left (1, 'a') bound: the application's own (3, NULL) comes back, batch empty.
            r.restoreCurrent(s);
            assertArrayEquals(new int[0], s.executeBatch());
            assertEquals(1, s.executeUpdate());
        }
        try (Statement s = second.createStatement(); ResultSet rs = s.executeQuery("SELECT group_concat(a || coalesce(b, '-'), ',') FROM t")) {
            rs.next();
            assertEquals("1a,2b,1a,3-", rs.getString(1));
        }
    }

    @Test
    void aSnapshotCarriesTheSettingsOfItsExecutionAndRestoreTheLatest() throws Exception {
        StatementRecipe r = prepared("SELECT a FROM t ORDER BY a");
        try (Statement s = second.createStatement()) {
            s.execute("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')");
        }
        Method setMaxRows = m(Statement.class, "setMaxRows", int.class);
        Object unlimited = r.snapshot(false);
        observe(r, setMaxRows, 2);
        Object two = r.snapshot(false);
        observe(r, setMaxRows, 1);
        try (PreparedStatement s = (PreparedStatement) r.createBare(second)) {
            r.applySnapshot(s, unlimited);
            assertEquals(3, rows(s));
            r.applySnapshot(s, two);
            assertEquals(2, rows(s));
            r.restoreCurrent(s);
            assertEquals(1, rows(s));
            assertEquals(1, s.getMaxRows());
        }
    }

    private static int rows(PreparedStatement s) throws SQLException {
        int n = 0;
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void outParametersAndNamedParametersKeepTheirOwnSlots() throws Exception {
        StatementRecipe r = prepared("SELECT ?");
        Method named = m(CallableStatement.class, "setString", String.class, String.class);
        Method out = m(CallableStatement.class, "registerOutParameter", int.class, int.class);
        Method setInt = m(PreparedStatement.class, "setInt", int.class, int.class);
        observe(r, setInt, 1, 4);
        observe(r, named, "p", "x");
        observe(r, out, 1, java.sql.Types.INTEGER);
        // Three slots: parameter 1, named p, out 1; the out parameter does not replace the bound value.
        assertEquals(3 * 48L, r.snapshotSize());
        assertFalse(r.observe(StatementCall.OTHER, m(Statement.class, "getMaxRows"), null));
    }
}
