package dev.resilientjdbc.classify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.EOFException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;

import static dev.resilientjdbc.classify.FailureClass.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row of DESIGN.md's failure-class table, per dialect. */
class ClassifierTest {
    private final FailureClassifier postgres = Classifiers.forDialect(Dialect.POSTGRESQL, ClassOverrides.NONE);
    private final FailureClassifier sqlite = Classifiers.forDialect(Dialect.SQLITE, ClassOverrides.NONE);
    private final FailureClassifier generic = Classifiers.forDialect(Dialect.GENERIC, ClassOverrides.NONE);

    @Test
    void aConnectionTheEmbeddedPoolClosedAfterAFailureIsALostConnection(@TempDir Path dir) throws Exception {
        // HikariCP's own stand-in, as our pool leaves it under a logical connection once a call failed with a
        // connection error: "Connection is closed" without a SQLState. Lost, and recovered: never fatal.
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + dir.resolve("pool.db"));
        config.setMaximumPoolSize(1);
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
            Connection proxy = pool.getConnection();
            proxy.close(); // what HikariCP does to its proxy after a connection failure, and after a close
            SQLException standIn = assertThrows(SQLException.class, proxy::createStatement);
            assertEquals(null, standIn.getSQLState(), "HikariCP's stand-in carries no state: " + standIn);
            for (FailureClassifier c : new FailureClassifier[]{postgres, sqlite, generic}) {
                assertEquals(CONNECTION, c.classify(standIn), standIn.toString());
            }
        }
        // The same words from anywhere else say nothing about the connection: as before.
        assertEquals(FATAL, postgres.classify(new SQLException("Connection is closed")));
    }

    @org.junit.jupiter.api.Test
    void pgjdbcsConnectionRejectedIsConfigurationNotNetwork() {
        // pgjdbc's 08004: SSL demanded from a server without it, an authentication method it cannot use.
        assertEquals(FATAL, postgres.classify(new SQLException("The server does not support SSL.", "08004")));
        assertEquals(CONNECTION, generic.classify(new SQLException("x", "08004")), "other drivers: class 08 as ever");
    }

    @org.junit.jupiter.api.Test
    void aLocalAddressThatCannotBeUsedIsConfigurationOnlyWhenOneIsConfigured() {
        FailureClassifier withLocal = Classifiers.forDialect(Dialect.POSTGRESQL, ClassOverrides.NONE, "no-such-host.invalid");
        SQLException bind = new SQLException("The connection attempt failed.", "08001",
                new java.net.BindException("Cannot assign requested address"));
        SQLException localUnknown = new SQLException("The connection attempt failed.", "08001",
                new java.net.UnknownHostException("no-such-host.invalid: Name or service not known"));
        SQLException remoteUnknown = new SQLException("The connection attempt failed.", "08001",
                new java.net.UnknownHostException("db.example.invalid"));
        assertEquals(FATAL, withLocal.classify(bind));
        assertEquals(FATAL, withLocal.classify(localUnknown));
        assertEquals(CONNECTION, withLocal.classify(remoteUnknown), "the server's name not resolving yet is worth waiting for");
        // Without a configured local address a BindException is the machine out of ephemeral ports: it passes.
        assertEquals(CONNECTION, postgres.classify(bind));
        assertEquals(CONNECTION, postgres.classify(localUnknown));
    }

    @ParameterizedTest(name = "PostgreSQL {0} -> {1}")
    @CsvSource({
            "08000, CONNECTION", "08001, CONNECTION", "08003, CONNECTION", "08006, CONNECTION", "08P01, CONNECTION",
            "57P01, CONNECTION", "57P02, CONNECTION", "57P03, CONNECTION",
            "40001, TRANSACTION", "40P01, TRANSACTION", "40000, TRANSACTION",
            "55P03, BUSY",
            "53300, RESOURCE", "53100, RESOURCE", "53200, RESOURCE",
            "25006, READ_ONLY",
            "23505, FATAL", "23503, FATAL", "42601, FATAL", "42P01, FATAL", "22012, FATAL", "22P02, FATAL",
            "57014, FATAL", "25P02, FATAL", "0A000, FATAL", "40003, FATAL", "XX000, FATAL", "P0001, FATAL"
    })
    void postgresByState(String state, FailureClass expected) {
        assertEquals(expected, postgres.classify(new SQLException("x", state)));
        // Generic agrees with PostgreSQL on the standard states.
        if (!state.startsWith("P") && !state.startsWith("XX")) {
            assertEquals(expected, generic.classify(new SQLException("x", state)));
        }
    }

    @Test
    void postgresStateWinsOverTheCauseChain() {
        SQLException syntax = new SQLException("syntax", "42601", new SocketException("reset"));
        assertEquals(FATAL, postgres.classify(syntax), "a known state is decided by the state alone");
    }

    /** Issue 27: the application's own stream failed while pgjdbc sent it — its failure, not a lost connection. */
    @Test
    void postgresIoErrorFromTheApplicationsOwnStreamIsFatal() {
        java.io.IOException own = new java.io.IOException("the application's file is unreadable");
        assertEquals(FATAL, postgres.classify(new SQLException("An I/O error occurred while sending to the backend.", "08006", own)));
        java.io.IOException socket = new java.io.IOException("Connection reset");
        socket.setStackTrace(new StackTraceElement[]{new StackTraceElement("sun.nio.ch.NioSocketImpl", "implRead", null, -1)});
        assertEquals(CONNECTION, postgres.classify(new SQLException("x", "08006", socket)), "made by the JDK's socket");
        assertEquals(CONNECTION, postgres.classify(new SQLException("x", "08006", new SocketException("reset"))), "a socket's kind");
        assertEquals(CONNECTION, postgres.classify(new SQLException("x", "08006", new EOFException())), "a socket's kind");
    }

    @Test
    void genericByExceptionTypeWhenThereIsNoState() {
        assertEquals(CONNECTION, generic.classify(new SQLTransientConnectionException("x")));
        assertEquals(CONNECTION, generic.classify(new SQLNonTransientConnectionException("x")));
        assertEquals(CONNECTION, generic.classify(new SQLRecoverableException("x")));
        assertEquals(TRANSACTION, generic.classify(new SQLTransactionRollbackException("x")));
        assertEquals(FATAL, generic.classify(new SQLTimeoutException("x")), "a timeout the application asked for");
        assertEquals(FATAL, generic.classify(new SQLException("x")));
        assertEquals(CONNECTION, generic.classify(new SQLException("x", (String) null, new EOFException())));
        assertEquals(CONNECTION, postgres.classify(new SQLException("x", null, new SQLException("y", null, new SocketException()))));
        assertEquals(FATAL, generic.classify(null));
    }

    @Test
    void sqliteByResultCode() {
        assertEquals(BUSY, sqlite.classify(new SQLiteException("[SQLITE_BUSY] The database file is locked", SQLiteErrorCode.SQLITE_BUSY)));
        assertEquals(BUSY, sqlite.classify(new SQLiteException("[SQLITE_BUSY_TIMEOUT] x", SQLiteErrorCode.SQLITE_BUSY_TIMEOUT)));
        assertEquals(BUSY, sqlite.classify(new SQLiteException("[SQLITE_BUSY_RECOVERY] x", SQLiteErrorCode.SQLITE_BUSY_RECOVERY)));
        assertEquals(FATAL, sqlite.classify(new SQLiteException("[SQLITE_LOCKED] x", SQLiteErrorCode.SQLITE_LOCKED)),
                "a lock of the same connection: deterministic");
        assertEquals(BUSY, sqlite.classify(new SQLiteException("[SQLITE_LOCKED_SHAREDCACHE] x", SQLiteErrorCode.SQLITE_LOCKED_SHAREDCACHE)));
        assertEquals(TRANSACTION, sqlite.classify(new SQLiteException("[SQLITE_BUSY_SNAPSHOT] x", SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT)));
        assertEquals(FATAL, sqlite.classify(new SQLiteException("[SQLITE_CONSTRAINT_PRIMARYKEY] x", SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)));
        assertEquals(FATAL, sqlite.classify(new SQLiteException("[SQLITE_ERROR] syntax", SQLiteErrorCode.SQLITE_ERROR)));
        assertEquals(FATAL, sqlite.classify(new SQLiteException("[SQLITE_READONLY] x", SQLiteErrorCode.SQLITE_READONLY)));
        assertEquals(FATAL, sqlite.classify(new SQLiteException("[SQLITE_IOERR] x", SQLiteErrorCode.SQLITE_IOERR)));
        assertEquals(FATAL, sqlite.classify(new SQLiteException("[SQLITE_MISUSE] x", SQLiteErrorCode.SQLITE_MISUSE)));
        // Without the message tag: the vendor code decides.
        assertEquals(BUSY, sqlite.classify(new SQLException("locked", null, 5)));
        assertEquals(TRANSACTION, sqlite.classify(new SQLException("snapshot", null, 517)));
        assertEquals(FATAL, sqlite.classify(new SQLException("database connection closed")));
    }

    @Test
    void realSqliteBusyClassifiesAsBusy(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("busy.db") + "?busy_timeout=0";
        try (Connection holder = DriverManager.getConnection(url); Connection other = DriverManager.getConnection(url);
             Statement h = holder.createStatement(); Statement o = other.createStatement()) {
            h.execute("CREATE TABLE t(x int)");
            h.execute("BEGIN IMMEDIATE");
            h.execute("INSERT INTO t VALUES (1)");
            SQLException busy = assertThrows(SQLException.class, () -> o.execute("INSERT INTO t VALUES (2)"));
            assertEquals(BUSY, sqlite.classify(busy), busy.getMessage());
            h.execute("COMMIT");
        }
    }

    @Test
    void realRefusedPostgresConnectClassifiesAsConnection() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int free = port;
        SQLException refused = assertThrows(SQLException.class,
                () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + free + "/x?connectTimeout=1"));
        assertEquals("08001", refused.getSQLState());
        assertEquals(CONNECTION, postgres.classify(refused));
    }

    @Test
    void overridesWinExactStateFirstThenCodeThenClass() {
        ClassOverrides o = ClassOverrides.parse("57014=connection, 23=busy, code:517=FATAL, 40001=read_only");
        FailureClassifier c = Classifiers.forDialect(Dialect.POSTGRESQL, o);
        assertEquals(CONNECTION, c.classify(new SQLException("cancel", "57014")));
        assertEquals(BUSY, c.classify(new SQLException("dup", "23505")));
        assertEquals(READ_ONLY, c.classify(new SQLException("ser", "40001")));
        assertEquals(TRANSACTION, c.classify(new SQLException("deadlock", "40P01")), "not overridden: the dialect's");
        FailureClassifier s = Classifiers.forDialect(Dialect.SQLITE, o);
        assertEquals(FATAL, s.classify(new SQLException("[SQLITE_BUSY_SNAPSHOT] x", null, 517)));
    }

    @Test
    void badOverridesSayWhatIsWrong() {
        IllegalArgumentException noClass = assertThrows(IllegalArgumentException.class, () -> ClassOverrides.parse("40001=RETRY"));
        assertTrue(noClass.getMessage().contains("'RETRY' is not a failure class"), noClass.getMessage());
        IllegalArgumentException badKey = assertThrows(IllegalArgumentException.class, () -> ClassOverrides.parse("4000=FATAL"));
        assertTrue(badKey.getMessage().contains("five-character"), badKey.getMessage());
        IllegalArgumentException noEq = assertThrows(IllegalArgumentException.class, () -> ClassOverrides.parse("40001"));
        assertTrue(noEq.getMessage().contains("KEY=CLASS"), noEq.getMessage());
        IllegalArgumentException badCode = assertThrows(IllegalArgumentException.class, () -> ClassOverrides.parse("code:x=FATAL"));
        assertTrue(badCode.getMessage().contains("whole number"), badCode.getMessage());
        assertTrue(ClassOverrides.parse(" ").isEmpty());
    }

    @Test
    void badOverrideOptionFailsConnectNamingTheKey() {
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:resilient:sqlite::memory:?resilient.classify.overrides=40001%3DRETRY"));
        assertTrue(e.getMessage().contains("resilient.classify.overrides") && e.getMessage().contains("'RETRY' is not a failure class")
                && e.getMessage().contains("connection, transaction, busy"), e.getMessage());
    }

    @Test
    void dialectFromTheRealUrl() {
        assertEquals(Dialect.POSTGRESQL, Dialect.fromRealUrl("jdbc:postgresql://h/db"));
        assertEquals(Dialect.SQLITE, Dialect.fromRealUrl("jdbc:sqlite::memory:"));
        assertEquals(Dialect.GENERIC, Dialect.fromRealUrl("jdbc:h2:mem:x"));
        assertEquals(Dialect.GENERIC, Dialect.fromRealUrl(null));
    }
}
