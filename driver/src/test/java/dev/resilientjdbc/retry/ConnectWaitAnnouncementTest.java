package dev.resilientjdbc.retry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18, point 2: a connect to a server that refuses (not up yet) says so at its first failed
 * attempt — once per outage — with how long it will keep trying and which option sets that, instead
 * of waiting silently until it gives up. The message names no password.
 */
class ConnectWaitAnnouncementTest {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger("dev.resilientjdbc.retry");
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        logger.addHandler(handler);
    }

    @AfterEach
    void release() {
        logger.removeHandler(handler);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private List<String> warnings() {
        return records.stream().filter(r -> r.getLevel() == Level.WARNING)
                .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())).toList();
    }

    @Test
    void theFirstFailedConnectOfAnOutageSaysHowLongItWillTry() throws Exception {
        String url = "jdbc:resilient:postgresql://127.0.0.1:" + closedPort() + "/db?user=app&password=Hunter2Secret"
                + "&resilient.connect.maxDuration=700ms";
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        List<String> first = warnings();
        assertTrue(first.size() >= 2, "an announcement and the give-up: " + first);
        assertTrue(first.get(0).contains("cannot connect to") && first.get(0).contains("retrying for up to 700 ms")
                && first.get(0).contains("resilient.connect.maxDuration"), "said at the first failure, before giving up: " + first);
        assertTrue(first.get(first.size() - 1).contains("giving up"), first.toString());
        assertTrue(first.stream().noneMatch(w -> w.contains("Hunter2Secret")), "no secret in a log line: " + first);

        records.clear();
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url).close());
        long announcements = warnings().stream().filter(w -> w.contains("cannot connect to")).count();
        assertEquals(0, announcements, "the same outage is announced once: " + warnings());
    }
}
