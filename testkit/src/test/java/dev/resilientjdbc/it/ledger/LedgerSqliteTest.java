package dev.resilientjdbc.it.ledger;



import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerChecker.Kind;
import dev.resilientjdbc.testkit.sqlite.SqliteExtension;
import dev.resilientjdbc.testkit.sqlite.SqliteFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same workload and checker on SQLite, with the raw sqlite-jdbc driver. */
@ExtendWith(SqliteExtension.class)
class LedgerSqliteTest {

    @AfterEach
    void noThreadsLeft() {
        LedgerThreads.assertNoneAlive();
    }

    // IMMEDIATE: a transfer takes the write lock at BEGIN (waiting up to busy_timeout), instead of
    // failing with SQLITE_BUSY when it upgrades from reading to writing.
    private static String url(SqliteFiles files) {
        return files.newDatabaseUrl("ledger") + "?busy_timeout=5000&journal_mode=WAL&transaction_mode=IMMEDIATE";
    }

    private static LedgerChecker.Report check(String url, LedgerWorkload.Result result) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            return LedgerChecker.check(c, result);
        }
    }

    @Test
    void cleanRunPassesTheChecker(SqliteFiles files) throws Exception {
        String url = url(files);
        LedgerWorkload.Result result = LedgerWorkload.builder(url).accounts(10).clients(4).readShare(0.2).seed(7)
                .duration(Duration.ofSeconds(3)).build().run();
        System.out.println(result);
        LedgerChecker.Report report = check(url, result);
        System.out.println(report);

        assertTrue(result.committed() > 100, result::toString);
        assertEquals(0, result.failed(), result::toString);
        assertEquals(0, result.readsFailed(), result::toString);
        assertTrue(result.readsOk() > 0);
        assertEquals(0, result.inconsistentReads());
        assertEquals(List.of(), result.hungThreads());
        assertTrue(report.ok(), report::toString);
        assertEquals(result.committed(), report.journalRows());
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1));
        }
    }

    @Test
    void busyFailuresWithoutABusyTimeoutAreDefiniteAndAbsent(SqliteFiles files) throws Exception {
        // No busy_timeout and deferred transactions: concurrent transfers fail with SQLITE_BUSY at once.
        String url = files.newDatabaseUrl("busy") + "?journal_mode=WAL";
        LedgerWorkload.Result result = LedgerWorkload.builder(url).accounts(10).clients(4).readShare(0.1).seed(7)
                .duration(Duration.ofSeconds(2)).build().run();
        System.out.println(result);
        LedgerChecker.Report report = check(url, result);
        System.out.println(report);

        assertTrue(result.failed() > 0, result::toString);
        assertTrue(result.committed() > 0, result::toString);
        assertTrue(report.ok(), report::toString);
    }

    @Test
    void throughTheResilientDriverConcurrentWritersSeeNoErrorAtAll(SqliteFiles files) throws Exception {
        // The same deferred transactions with no busy wait as above, which fail by the thousand raw.
        String raw = files.newDatabaseUrl("resilient-busy") + "?journal_mode=WAL&busy_timeout=0";
        LedgerWorkload.Result result = LedgerWorkload.builder(raw.replace("jdbc:", "jdbc:resilient:")).accounts(10).clients(4)
                .readShare(0.1).seed(7).duration(Duration.ofSeconds(2)).build().run();
        System.out.println(result);
        LedgerChecker.Report report = check(raw, result);
        System.out.println(report);

        assertEquals(0, result.failed(), result::toString);
        assertEquals(0, result.readsFailed(), result::toString);
        assertTrue(result.committed() > 100, result::toString);
        assertTrue(report.ok(), report::toString);
    }

    @Test
    void checkerReportsALostAcknowledgedCommit(SqliteFiles files) throws Exception {
        String url = url(files);
        LedgerWorkload.Result result = LedgerWorkload.builder(url).accounts(5).clients(2).operations(200).build().run();
        String lost = result.acknowledged().keySet().iterator().next();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("DELETE FROM ledger_journal WHERE transfer_id = '" + lost + "'"));
        }
        LedgerChecker.Report report = check(url, result);
        assertFalse(report.ok());
        assertEquals(1, report.violations(Kind.ACKNOWLEDGED_MISSING).size(), report::toString);
        assertEquals(2, report.violations(Kind.BALANCE_MISMATCH).size(), report::toString);
    }
}
