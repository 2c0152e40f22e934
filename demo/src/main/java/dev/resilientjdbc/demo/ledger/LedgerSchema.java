package dev.resilientjdbc.demo.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The two ledger tables, in SQL that PostgreSQL and SQLite both accept:
 * {@code ledger_accounts(id, balance)} and {@code ledger_journal(transfer_id, from_id, to_id, amount, created_at)}.
 * Accounts are numbered {@code 1..accounts}, each starting at {@link #initialBalance()}.
 */
public final class LedgerSchema {

    public static final String ACCOUNTS = "ledger_accounts";
    public static final String JOURNAL = "ledger_journal";

    private final int accounts;
    private final long initialBalance;

    public LedgerSchema(int accounts, long initialBalance) {
        if (accounts < 2) {
            throw new IllegalArgumentException("a ledger needs at least 2 accounts: " + accounts);
        }
        if (initialBalance < 0) {
            throw new IllegalArgumentException("initial balance must not be negative: " + initialBalance);
        }
        this.accounts = accounts;
        this.initialBalance = initialBalance;
    }

    public int accounts() {
        return accounts;
    }

    public long initialBalance() {
        return initialBalance;
    }

    /** What {@code SELECT sum(balance)} must always return: transfers only move money. */
    public long expectedTotal() {
        return accounts * initialBalance;
    }

    /** Creates missing tables and missing accounts; existing rows are left as they are. */
    public void create(Connection connection) throws SQLException {
        inTransaction(connection, () -> {
            createTables(connection);
            insertAccounts(connection, " ON CONFLICT (id) DO NOTHING");
        });
    }

    /** Creates what is missing, empties the journal and puts every account back to the initial balance (accounts beyond {@code accounts} are removed). */
    public void reset(Connection connection) throws SQLException {
        inTransaction(connection, () -> {
            createTables(connection);
            try (Statement st = connection.createStatement()) {
                st.executeUpdate("DELETE FROM " + JOURNAL);
                st.executeUpdate("DELETE FROM " + ACCOUNTS);
            }
            insertAccounts(connection, "");
        });
    }

    /** Drops both tables if they exist. */
    public static void drop(Connection connection) throws SQLException {
        inTransaction(connection, () -> {
            try (Statement st = connection.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + JOURNAL);
                st.execute("DROP TABLE IF EXISTS " + ACCOUNTS);
            }
        });
    }

    private static void createTables(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + ACCOUNTS
                    + " (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS " + JOURNAL
                    + " (transfer_id VARCHAR(64) PRIMARY KEY, from_id INT NOT NULL, to_id INT NOT NULL,"
                    + " amount BIGINT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)");
        }
    }

    private void insertAccounts(Connection connection, String conflictClause) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO " + ACCOUNTS + " (id, balance) VALUES (?, ?)" + conflictClause)) {
            for (int id = 1; id <= accounts; id++) {
                ps.setInt(1, id);
                ps.setLong(2, initialBalance);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    // One transaction so a half-created ledger is never left behind; the caller's autocommit mode is restored.
    private static void inTransaction(Connection connection, SqlWork work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false);
        }
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            throw e;
        } finally {
            if (autoCommit) {
                connection.setAutoCommit(true);
            }
        }
    }

    @Override
    public String toString() {
        return "LedgerSchema[" + accounts + " accounts x " + initialBalance + "]";
    }
}
