package dev.resilientjdbc.proxy;

import dev.resilientjdbc.ResilientDriver;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.connection.LogicalConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asking a failure's class changes nothing; taking the failure in ({@code failed}) is what ends a
 * connection the application's own time limit ended. A real SQLite connection behind
 * {@code jdbc:resilient:}: the class can be asked any number of times while the connection works on.
 */
class FailureIntakeTest {
    @TempDir
    Path dir;

    @AfterEach
    void forget() {
        ResilientDriver.targets().close();
    }

    private static LogicalConnection logical(Connection c) {
        return ((ConnectionHandler) Proxy.getInvocationHandler(c)).logical();
    }

    private static int one(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void classifyOnlyAnswersAndFailedEndsTheConnectionForTheApplication() throws SQLException {
        Connection c = new ResilientDriver().connect("jdbc:resilient:sqlite:" + dir.resolve("intake.db"), new Properties());
        LogicalConnection logical = logical(c);
        assertEquals(1, one(c));
        Connection physical = logical.physicalIfAlive();
        // The application's own socketTimeout ran out: never recovered, and the connection ends as the raw one did.
        SQLException timedOut = new SQLException("An I/O error occurred while sending to the backend.", "08006",
                new SocketTimeoutException("Read timed out"));
        for (int i = 0; i < 3; i++) {
            assertEquals(FailureClass.FATAL, logical.classify(timedOut));
        }
        assertFalse(c.isClosed(), "asking the class ended the connection");
        assertSame(physical, logical.physicalIfAlive(), "asking the class dropped the physical connection");
        assertEquals(1, one(c));

        assertEquals(FailureClass.FATAL, logical.failed(timedOut));
        assertTrue(c.isClosed(), "a connection the application's own time limit ended must end for it");
        // Every later call answers as a closed raw connection does (nothing reconnects behind the application).
        SQLException after = assertThrows(SQLException.class, () -> one(c));
        Connection raw = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("raw.db"));
        raw.close();
        SQLException rawAfter = assertThrows(SQLException.class, () -> one(raw));
        assertEquals(rawAfter.getMessage(), after.getMessage());
        assertEquals(rawAfter.getSQLState(), after.getSQLState());
        // Taken in again (another layer asks about the same failure): nothing more happens, the class is the same.
        assertEquals(FailureClass.FATAL, logical.failed(timedOut));
        c.close();
    }

    @Test
    void aLostConnectionIsClassedWithoutBeingDropped() throws SQLException {
        try (Connection c = new ResilientDriver().connect("jdbc:resilient:sqlite:" + dir.resolve("lost.db"), new Properties())) {
            LogicalConnection logical = logical(c);
            assertEquals(1, one(c));
            Connection physical = logical.physicalIfAlive();
            SQLException lost = new SQLException("An I/O error occurred while sending to the backend.", "08006");
            assertEquals(FailureClass.CONNECTION, logical.classify(lost));
            assertEquals(FailureClass.CONNECTION, logical.failed(lost));
            // Neither drops it: dropping a lost connection is the caller's act (lost()), where it knows which one failed.
            assertSame(physical, logical.physicalIfAlive());
            assertEquals(1, one(c));
        }
    }
}
