package dev.resilientjdbc.demo.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares what a {@link LedgerWorkload} run's application saw with what the database kept. Run it
 * after the workload has ended, on any connection to the same database.
 *
 * <p>Rules: the total balance is unchanged; every acknowledged transfer is in the journal exactly
 * once and as the app meant it; no transfer is there twice; no transfer the app saw fail (definitely) or decline is there; no
 * journal row is unknown to the app; every balance equals the initial balance plus the journal's
 * net flow for that account. Transfers with an unknown outcome (SQLState {@code 08007}, or still in
 * flight in a hung thread) may be either way; the report says how many committed.
 */
public final class LedgerChecker {

    /** How to read a {@code commit()} that failed because the connection was lost (SQLState {@code 08xxx}/{@code 57P0x}, not {@code 08007}). */
    public enum CommitFailures {
        /** The driver promises to say {@code 08007} when it does not know, so anything else is a definite failure (the resilient driver's contract). */
        DEFINITE,
        /** A raw driver cannot know whether the server committed before the connection went: either outcome is allowed. */
        AMBIGUOUS
    }

    private LedgerChecker() {
    }

    /**
     * {@link #check(Connection, LedgerWorkload.Result, CommitFailures)} with {@link CommitFailures#DEFINITE}
     * for {@code jdbc:resilient:} URLs and {@link CommitFailures#AMBIGUOUS} for any other.
     */
    public static Report check(Connection connection, LedgerWorkload.Result result) throws SQLException {
        boolean resilient = result.url().regionMatches(true, 0, "jdbc:resilient:", 0, "jdbc:resilient:".length());
        return check(connection, result, resilient ? CommitFailures.DEFINITE : CommitFailures.AMBIGUOUS);
    }

    public static Report check(Connection connection, LedgerWorkload.Result result, CommitFailures commitFailures) throws SQLException {
        Snapshot db = Snapshot.read(connection);
        LedgerSchema schema = result.schema();
        List<Violation> violations = new ArrayList<>();

        long total = db.balances.values().stream().mapToLong(Long::longValue).sum();
        if (total != schema.expectedTotal()) {
            violations.add(new Violation(Kind.TOTAL_CHANGED,
                    "total balance is " + total + ", expected " + schema.expectedTotal()));
        }
        for (int id = 1; id <= schema.accounts(); id++) {
            if (!db.balances.containsKey(id)) {
                violations.add(new Violation(Kind.ACCOUNT_MISSING, "account " + id + " is missing"));
            }
        }
        for (Integer id : db.balances.keySet()) {
            if (id < 1 || id > schema.accounts()) {
                violations.add(new Violation(Kind.ACCOUNT_MISSING, "account " + id + " should not exist"));
            }
        }

        for (Transfer t : result.acknowledged().values()) {
            if (!db.copies.containsKey(t.id())) {
                violations.add(new Violation(Kind.ACKNOWLEDGED_MISSING, "acknowledged transfer " + t + " is not in the journal"));
            }
        }
        // Any transfer, not only acknowledged ones: one whose outcome is unknown may be there once, never twice.
        db.copies.forEach((id, copies) -> {
            if (copies > 1) {
                String what = result.acknowledged().containsKey(id) ? "acknowledged transfer " : "transfer ";
                violations.add(new Violation(Kind.DUPLICATED, what + id + " is in the journal " + copies + " times"));
            }
        });

        int unknownCommitted = 0;
        int unknownTotal = 0;
        int ambiguousCommitted = 0;
        int ambiguousTotal = 0;
        for (Failure f : result.failures().values()) {
            boolean present = db.journal.containsKey(f.transfer().id());
            if (f.outcomeUnknown()) {
                unknownTotal++;
                unknownCommitted += present ? 1 : 0;
            } else if (f.connectionLostAtCommit() && commitFailures == CommitFailures.AMBIGUOUS) {
                ambiguousTotal++;
                ambiguousCommitted += present ? 1 : 0;
            } else if (present) {
                violations.add(new Violation(Kind.FAILED_BUT_PRESENT, "transfer " + f.transfer().id() + " failed with SQLState "
                        + f.sqlState() + " (" + f.exceptionClass() + (f.atCommit() ? ", at commit" : "") + ") but is in the journal"));
            }
        }
        for (Transfer t : result.declined().values()) {
            if (db.journal.containsKey(t.id())) {
                violations.add(new Violation(Kind.FAILED_BUT_PRESENT, "declined transfer " + t.id() + " was rolled back but is in the journal"));
            }
        }
        int inFlightCommitted = (int) result.inFlight().keySet().stream().filter(db.journal::containsKey).count();

        Map<Integer, Long> expected = new TreeMap<>();
        for (int id = 1; id <= schema.accounts(); id++) {
            expected.put(id, schema.initialBalance());
        }
        // Every row, duplicates included: a doubled row moves money twice and may differ from its twin.
        for (Transfer row : db.rows) {
            Transfer meant = intended(result, row.id());
            if (meant == null) {
                violations.add(new Violation(Kind.UNKNOWN_TRANSFER, "journal row " + row + " is no transfer the application attempted"));
            } else if (!meant.equals(row)) {
                violations.add(new Violation(Kind.JOURNAL_MISMATCH, "journal row " + row + " differs from what the application meant: " + meant));
            }
            expected.merge(row.fromId(), -row.amount(), Long::sum);
            expected.merge(row.toId(), row.amount(), Long::sum);
        }
        for (Map.Entry<Integer, Long> e : expected.entrySet()) {
            Long actual = db.balances.get(e.getKey());
            if (actual != null && actual.longValue() != e.getValue()) {
                violations.add(new Violation(Kind.BALANCE_MISMATCH, "account " + e.getKey() + " has balance " + actual
                        + " but initial balance plus journal says " + e.getValue()));
            }
        }
        return new Report(violations, result.acknowledged().size(), db.rows.size(), total, schema.expectedTotal(),
                unknownTotal, unknownCommitted, ambiguousTotal, ambiguousCommitted, result.inFlight().size(), inFlightCommitted);
    }

    private static Transfer intended(LedgerWorkload.Result result, String id) {
        Transfer t = result.acknowledged().get(id);
        if (t == null) {
            Failure f = result.failures().get(id);
            t = f != null ? f.transfer() : null;
        }
        if (t == null) {
            t = result.declined().get(id);
        }
        return t != null ? t : result.inFlight().get(id);
    }

    // Both tables read in one transaction, so the comparison sees one state of the database.
    private record Snapshot(Map<Integer, Long> balances, List<Transfer> rows, Map<String, Transfer> journal, Map<String, Integer> copies) {

        static Snapshot read(Connection c) throws SQLException {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            try {
                try {
                    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                } catch (SQLException unsupported) {
                    // SQLite transactions are snapshots already; other drivers do what they can
                }
                c.setAutoCommit(false);
                Map<Integer, Long> balances = new TreeMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, balance FROM " + LedgerSchema.ACCOUNTS);
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        balances.put(rs.getInt(1), rs.getLong(2));
                    }
                }
                List<Transfer> rows = new ArrayList<>();
                Map<String, Transfer> journal = new HashMap<>();
                Map<String, Integer> copies = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT transfer_id, from_id, to_id, amount FROM " + LedgerSchema.JOURNAL);
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Transfer t = new Transfer(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getLong(4));
                        rows.add(t);
                        journal.put(t.id(), t);
                        copies.merge(t.id(), 1, Integer::sum);
                    }
                }
                c.rollback();
                return new Snapshot(balances, rows, journal, copies);
            } finally {
                c.setAutoCommit(autoCommit);
                try {
                    c.setTransactionIsolation(isolation);
                } catch (SQLException unsupported) {
                    // as above
                }
            }
        }
    }

    /** What kind of rule a {@link Violation} breaks. */
    public enum Kind {
        TOTAL_CHANGED,
        ACCOUNT_MISSING,
        /** An acknowledged commit was lost. */
        ACKNOWLEDGED_MISSING,
        /** A transfer is in the journal more than once (only possible without the journal's primary key). */
        DUPLICATED,
        /** A transfer the app saw fail definitely, or rolled back itself, was committed after all. */
        FAILED_BUT_PRESENT,
        /** A journal row with an id the application never used. */
        UNKNOWN_TRANSFER,
        /** A journal row whose accounts or amount differ from the application's. */
        JOURNAL_MISMATCH,
        /** An account's balance does not match the journal. */
        BALANCE_MISMATCH
    }

    public record Violation(Kind kind, String detail) {
        @Override
        public String toString() {
            return kind + ": " + detail;
        }
    }

    /** The checker's verdict; {@link #ok()} when there are no violations. */
    public record Report(List<Violation> violations, long acknowledged, long journalRows, long totalBalance, long expectedTotal,
                         int unknownOutcome, int unknownOutcomeCommitted, int ambiguousCommitFailures,
                         int ambiguousCommitFailuresCommitted, int inFlight, int inFlightCommitted) {

        public Report {
            violations = List.copyOf(violations);
        }

        public boolean ok() {
            return violations.isEmpty();
        }

        public List<Violation> violations(Kind kind) {
            return violations.stream().filter(v -> v.kind() == kind).toList();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(ok() ? "Ledger OK" : "Ledger VIOLATED (" + violations.size() + ")");
            sb.append(": ").append(acknowledged).append(" acknowledged, ").append(journalRows).append(" journal rows, total ")
                    .append(totalBalance).append('/').append(expectedTotal)
                    .append("; unknown outcome (08007) ").append(unknownOutcomeCommitted).append('/').append(unknownOutcome).append(" committed")
                    .append("; connection lost at commit ").append(ambiguousCommitFailuresCommitted).append('/').append(ambiguousCommitFailures).append(" committed")
                    .append("; in flight ").append(inFlightCommitted).append('/').append(inFlight).append(" committed");
            int shown = 0;
            for (Violation v : violations) {
                if (shown++ == 50) {
                    sb.append("\n  ... ").append(violations.size() - 50).append(" more");
                    break;
                }
                sb.append("\n  ").append(v);
            }
            return sb.toString();
        }
    }
}
