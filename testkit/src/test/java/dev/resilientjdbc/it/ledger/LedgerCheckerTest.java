package dev.resilientjdbc.it.ledger;



import dev.resilientjdbc.demo.ledger.LatencySummary;
import dev.resilientjdbc.demo.ledger.LedgerWorkload;
import dev.resilientjdbc.demo.ledger.Failure;
import dev.resilientjdbc.demo.ledger.LedgerChecker;
import dev.resilientjdbc.demo.ledger.LedgerSchema;
import dev.resilientjdbc.demo.ledger.Transfer;
import dev.resilientjdbc.demo.ledger.LedgerChecker.CommitFailures;
import dev.resilientjdbc.demo.ledger.LedgerChecker.Kind;
import dev.resilientjdbc.testkit.sqlite.SqliteExtension;
import dev.resilientjdbc.testkit.sqlite.SqliteFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rule of {@link LedgerChecker} on a database state made by hand (SQLite, in a file) and an
 * application record made by hand: a correct state passes, and every way of losing, inventing or
 * doubling money is reported as its own kind, with nothing else reported alongside.
 */
@ExtendWith(SqliteExtension.class)
class LedgerCheckerTest {

    private static final LedgerSchema SCHEMA = new LedgerSchema(3, 1000);
    private static final Transfer A = new Transfer("a", 1, 2, 50);
    private static final Transfer B = new Transfer("b", 3, 1, 20);

    private Connection db;
    private final Map<String, Transfer> acknowledged = new HashMap<>();
    private final Map<String, Failure> failures = new HashMap<>();
    private final Map<String, Transfer> declined = new HashMap<>();
    private final Map<String, Transfer> inFlight = new HashMap<>();

    @BeforeEach
    void ledger(SqliteFiles files) throws SQLException {
        db = DriverManager.getConnection(files.newDatabaseUrl("checker"));
        SCHEMA.reset(db);
    }

    @AfterEach
    void close() throws SQLException {
        db.close();
    }

    // --- the database side, as a committed transfer or a bug would have left it

    private void journal(Transfer t) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO ledger_journal (transfer_id, from_id, to_id, amount) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, t.id());
            ps.setInt(2, t.fromId());
            ps.setInt(3, t.toId());
            ps.setLong(4, t.amount());
            ps.executeUpdate();
        }
    }

    private void add(int account, long delta) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE ledger_accounts SET balance = balance + ? WHERE id = ?")) {
            ps.setLong(1, delta);
            ps.setInt(2, account);
            assertEquals(1, ps.executeUpdate());
        }
    }

    /** What a correct commit of {@code t} leaves. */
    private void applied(Transfer t) throws SQLException {
        add(t.fromId(), -t.amount());
        add(t.toId(), t.amount());
        journal(t);
    }

    // --- the application side

    private static Failure failure(Transfer t, String sqlState, boolean atCommit) {
        return new Failure(t, sqlState, SQLException.class.getName(), "made by hand", atCommit);
    }

    private LedgerChecker.Report check(CommitFailures commitFailures) throws SQLException {
        LatencySummary none = LatencySummary.of(new long[0]);
        LedgerWorkload.Result result = new LedgerWorkload.Result("jdbc:sqlite:by-hand", SCHEMA, Duration.ofSeconds(1), acknowledged,
                failures, declined, inFlight, List.of(), Map.of(), 0, 0, 0, 0, none, none, Duration.ZERO, "none");
        LedgerChecker.Report report = LedgerChecker.check(db, result, commitFailures);
        System.out.println(report);
        return report;
    }

    private LedgerChecker.Report check() throws SQLException {
        return check(CommitFailures.DEFINITE);
    }

    private static void onlyViolations(LedgerChecker.Report report, Kind... kinds) {
        assertEquals(Arrays.stream(kinds).sorted().toList(), report.violations().stream().map(LedgerChecker.Violation::kind).sorted().toList(), report::toString);
    }

    @Test
    void correctStateIsOk() throws SQLException {
        applied(A);
        applied(B);
        acknowledged.put(A.id(), A);
        acknowledged.put(B.id(), B);
        Transfer refused = new Transfer("declined", 2, 3, 5000);
        declined.put(refused.id(), refused);
        Transfer diverged = new Transfer("diverged", 1, 3, 10);
        failures.put(diverged.id(), failure(diverged, "40001", false));

        LedgerChecker.Report report = check();
        assertTrue(report.ok(), report::toString);
        assertEquals(2, report.journalRows());
        assertEquals(SCHEMA.expectedTotal(), report.totalBalance());
    }

    @Test
    void debitTwiceCreditNeverIsTwoAccountsShortAndTheTotalChanged() throws SQLException {
        // Issue 13: the replayed debit, then the credit run with the debit's stale parameters.
        acknowledged.put(A.id(), A);
        add(A.fromId(), -A.amount());
        add(A.fromId(), -A.amount());
        journal(A);

        LedgerChecker.Report report = check();
        onlyViolations(report, Kind.TOTAL_CHANGED, Kind.BALANCE_MISMATCH, Kind.BALANCE_MISMATCH);
        assertEquals(SCHEMA.expectedTotal() - 2 * A.amount(), report.totalBalance());
        assertTrue(report.violations(Kind.BALANCE_MISMATCH).stream().anyMatch(v -> v.detail().startsWith("account 1 has balance 900 ")), report::toString);
        assertTrue(report.violations(Kind.BALANCE_MISMATCH).stream().anyMatch(v -> v.detail().startsWith("account 2 has balance 1000 ")), report::toString);
    }

    @Test
    void acknowledgedTransferMissingFromTheJournal() throws SQLException {
        applied(B);
        acknowledged.put(A.id(), A);
        acknowledged.put(B.id(), B);

        LedgerChecker.Report report = check();
        onlyViolations(report, Kind.ACKNOWLEDGED_MISSING);
        assertTrue(report.violations().get(0).detail().contains(A.toString()), report::toString);
    }

    @Test
    void acknowledgedTransferWhoseMoneyMovedButWhoseJournalRowIsLost() throws SQLException {
        acknowledged.put(A.id(), A);
        add(A.fromId(), -A.amount());
        add(A.toId(), A.amount());

        onlyViolations(check(), Kind.ACKNOWLEDGED_MISSING, Kind.BALANCE_MISMATCH, Kind.BALANCE_MISMATCH);
    }

    @Test
    void transferWhoseMoneyMovedTwiceUnderOneJournalRow() throws SQLException {
        acknowledged.put(A.id(), A);
        applied(A);
        add(A.fromId(), -A.amount());
        add(A.toId(), A.amount());

        LedgerChecker.Report report = check();
        // The total cannot see it; the per-account rule does.
        onlyViolations(report, Kind.BALANCE_MISMATCH, Kind.BALANCE_MISMATCH);
        assertEquals(SCHEMA.expectedTotal(), report.totalBalance());
    }

    @Test
    void transferInTheJournalTwice() throws SQLException {
        // Only possible without the journal's primary key, so this ledger's tables are made by hand.
        try (Statement st = db.createStatement()) {
            st.execute("DROP TABLE ledger_journal");
            st.execute("CREATE TABLE ledger_journal (transfer_id VARCHAR(64), from_id INT, to_id INT, amount BIGINT)");
        }
        acknowledged.put(A.id(), A);
        applied(A);
        applied(A);
        // Either outcome is allowed for an unknown one, but not both at once.
        Transfer unknown = new Transfer("unknown", 2, 3, 9);
        failures.put(unknown.id(), failure(unknown, "08007", true));
        applied(unknown);
        applied(unknown);

        LedgerChecker.Report report = check();
        // Both rows count: the balances match the journal's two movements, the one rule broken is the duplicate.
        onlyViolations(report, Kind.DUPLICATED, Kind.DUPLICATED);
        assertTrue(report.violations().stream().allMatch(v -> v.detail().contains("2 times")), report::toString);
        assertEquals(4, report.journalRows());
    }

    @Test
    void transferTheAppSawFailIsCommitted() throws SQLException {
        failures.put(A.id(), failure(A, "40001", false));
        applied(A);

        LedgerChecker.Report report = check();
        onlyViolations(report, Kind.FAILED_BUT_PRESENT);
        assertTrue(report.violations().get(0).detail().contains("40001"), report::toString);
    }

    @Test
    void transferTheAppDeclinedIsCommitted() throws SQLException {
        declined.put(A.id(), A);
        applied(A);

        onlyViolations(check(), Kind.FAILED_BUT_PRESENT);
    }

    @Test
    void journalRowNoTransferOfTheAppMade() throws SQLException {
        applied(new Transfer("phantom", 2, 3, 7));

        onlyViolations(check(), Kind.UNKNOWN_TRANSFER);
    }

    @Test
    void journalRowThatDiffersFromWhatTheAppMeant() throws SQLException {
        acknowledged.put(A.id(), A);
        applied(new Transfer(A.id(), A.fromId(), A.toId(), A.amount() + 1));

        onlyViolations(check(), Kind.JOURNAL_MISMATCH);
    }

    @Test
    void accountsMissingOrExtra() throws SQLException {
        try (Statement st = db.createStatement()) {
            st.executeUpdate("UPDATE ledger_accounts SET id = 4 WHERE id = 3");
        }

        onlyViolations(check(), Kind.ACCOUNT_MISSING, Kind.ACCOUNT_MISSING);
    }

    @Test
    void unknownOutcomeAndInFlightTransfersMayGoEitherWay() throws SQLException {
        Transfer unknownCommitted = new Transfer("unknown-committed", 1, 2, 5);
        Transfer unknownAbsent = new Transfer("unknown-absent", 2, 3, 6);
        failures.put(unknownCommitted.id(), failure(unknownCommitted, "08007", true));
        failures.put(unknownAbsent.id(), failure(unknownAbsent, "08007", true));
        inFlight.put(B.id(), B);
        applied(unknownCommitted);
        applied(B);

        LedgerChecker.Report report = check();
        assertTrue(report.ok(), report::toString);
        assertEquals(2, report.unknownOutcome());
        assertEquals(1, report.unknownOutcomeCommitted());
        assertEquals(1, report.inFlightCommitted());
    }

    @Test
    void lostConnectionAtCommitIsDefiniteForTheResilientDriverAndAmbiguousForARawOne() throws SQLException {
        failures.put(A.id(), failure(A, "08006", true));
        applied(A);

        onlyViolations(check(CommitFailures.DEFINITE), Kind.FAILED_BUT_PRESENT);
        LedgerChecker.Report raw = check(CommitFailures.AMBIGUOUS);
        assertTrue(raw.ok(), raw::toString);
        assertEquals(1, raw.ambiguousCommitFailuresCommitted());
    }
}
