package dev.resilientjdbc.sqlite.backup;

import dev.resilientjdbc.config.Check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backups, verification, retention and restore on real files, with real concurrent writers and real locks. */
class SqliteBackupTest {
    @TempDir
    Path tmp;

    @Test
    void everyBackupTakenUnderConcurrentWritersVerifiesAndHoldsAConsistentSnapshot() throws Exception {
        Path db = tmp.resolve("app.db");
        create(db, true);
        BackupSettings s = BackupSettings.in(tmp.resolve("backups")).withKeep(10);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        AtomicLong committed = new AtomicLong();
        CountDownLatch started = new CountDownLatch(4);
        // The writers take turns among themselves (a fair lock): SQLite's busy handler is not fair, and a writer
        // committing in a tight loop can starve the others past any busy_timeout on a loaded machine. So any
        // SQLITE_BUSY a writer meets comes from the backups, which must never cause one.
        java.util.concurrent.locks.ReentrantLock turns = new java.util.concurrent.locks.ReentrantLock(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    c.createStatement().execute("PRAGMA busy_timeout=10000");
                    c.setAutoCommit(false);
                    PreparedStatement ins = c.prepareStatement("INSERT INTO ledger(writer, seq, amount) VALUES (?, ?, ?)");
                    for (int seq = 1; !stop.get(); seq++) {
                        turns.lock();
                        try {
                            // Two rows per transaction, summing to zero: a torn snapshot would show a non-zero sum.
                            ins.setInt(1, writer); ins.setInt(2, seq); ins.setInt(3, 7); ins.executeUpdate();
                            ins.setInt(1, writer); ins.setInt(2, -seq); ins.setInt(3, -7); ins.executeUpdate();
                            c.commit();
                        } finally {
                            turns.unlock();
                        }
                        committed.incrementAndGet();
                        if (seq == 1) {
                            started.countDown();
                        }
                    }
                } catch (Throwable e) {
                    writerFailure.set(e);
                } finally {
                    started.countDown(); // a writer that failed before its first commit must not hang the test
                }
            }, "test-writer-" + w);
            t.start();
            writers.add(t);
        }
        assertTrue(started.await(60, java.util.concurrent.TimeUnit.SECONDS), "the four writers committed once");
        assertNull(writerFailure.get(), "no writer failed before the backups began");
        List<Backup> made = new ArrayList<>();
        long before = committed.get();
        for (int i = 0; i < 3; i++) {
            made.add(SqliteBackups.backup(db, s));
        }
        long during = committed.get() - before;
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertNull(writerFailure.get(), "no writer failed while the backups ran");
        assertTrue(during > 0, "the writers committed while the backups ran");
        long previous = -1;
        for (Backup b : made) {
            assertTrue(b.verified());
            Verification v = SqliteBackups.verify(b, Check.INTEGRITY_CHECK);
            assertTrue(v.ok(), v.detail());
            Path copy = expand(b);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy); Statement st = c.createStatement()) {
                assertEquals(0, single(st, "SELECT coalesce(sum(amount), 0) FROM ledger"), "no half of a transaction");
                // Each writer commits its seqs in order: a snapshot holds exactly 1..max of each, no gaps.
                assertEquals(0, single(st, "SELECT count(*) FROM (SELECT writer, max(seq) m, count(*) n FROM ledger"
                        + " WHERE seq > 0 GROUP BY writer) WHERE m <> n"));
                long rows = single(st, "SELECT count(*) FROM ledger");
                assertTrue(rows >= previous, "later backups hold at least what earlier ones held");
                previous = rows;
            }
        }
        assertEquals(3, SqliteBackups.list(db, s.dir()).stream().filter(Backup::verified).count());
    }

    @Test
    void aBackupOfARollbackJournalFileFinishesUnderConstantWritersWhoCommitBetweenItsSteps() throws Exception {
        Path db = tmp.resolve("rollback.db");
        create(db, false);
        fill(db, 20_000); // a few hundred pages: many steps, each of which a commit in between would restart
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            Thread t = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                    st.execute("PRAGMA busy_timeout=20000");
                    while (!stop.get()) {
                        st.execute("INSERT INTO ledger(writer, seq, amount) VALUES (1, 1, 0)");
                        commits.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "test-rollback-writer-" + w);
            t.start();
            writers.add(t);
        }
        try {
            while (commits.get() < 10) {
                Thread.sleep(1); // not a spin: it would take a core from what it waits for
            }
            long before = commits.get();
            Backup b = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> SqliteBackups.backup(db, BackupSettings.in(tmp.resolve("b"))));
            assertTrue(b.verified());
            assertTrue(commits.get() > before, "the writers committed while the copy ran (between its steps)");
        } finally {
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertNull(failure.get());
    }

    @Test
    void aBackupTakenWhileAWriterIsMidTransactionHoldsNoneOfIt() throws Exception {
        Path db = tmp.resolve("mid.db");
        create(db, true);
        try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = writer.createStatement()) {
            st.execute("INSERT INTO ledger(writer, seq, amount) VALUES (9, 1, 1)");
            writer.setAutoCommit(false);
            for (int i = 2; i <= 100; i++) {
                st.execute("INSERT INTO ledger(writer, seq, amount) VALUES (9, " + i + ", 1)");
            }
            Backup b = SqliteBackups.backup(db, BackupSettings.in(tmp.resolve("b")));
            writer.commit();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + expand(b)); Statement cs = c.createStatement()) {
                assertEquals(1, single(cs, "SELECT count(*) FROM ledger"), "only what was committed before the backup");
            }
            assertEquals(100, single(st, "SELECT count(*) FROM ledger"), "the writer's transaction committed after it");
        }
    }

    @Test
    void aDamagedCopyFailsVerificationAndIsNotKept() throws Exception {
        Path db = tmp.resolve("dmg.db");
        create(db, false);
        fill(db, 2000);
        BackupSettings s = BackupSettings.in(tmp.resolve("b"));
        Backup good = SqliteBackups.backup(db, s);
        long failedBefore = SqliteBackups.stats(db).failedVerification();
        try (Connection source = SqliteBackups.open(db)) {
            SQLException e = assertThrows(SQLException.class, () -> SqliteBackups.backup(source, db, s, raw -> {
                // Overwrite the b-tree pages after the schema page with garbage, as a bad disk would.
                overwrite(raw, 4096, 3 * 4096, (byte) 0x5A);
            }));
            assertEquals("XX001", e.getSQLState());
            assertTrue(e.getMessage().contains("failed verification"), e.getMessage());
            assertTrue(e.getMessage().contains(good.name()), "names the latest verified backup: " + e.getMessage());
        }
        assertEquals(failedBefore + 1, SqliteBackups.stats(db).failedVerification());
        List<Backup> left = SqliteBackups.list(db, s.dir());
        assertEquals(List.of(good.name()), left.stream().map(Backup::name).toList(), "the damaged copy is gone");
        try (var files = Files.list(s.dir())) {
            assertEquals(2, files.count(), "only the good backup and its manifest, no temporary files");
        }
    }

    @Test
    void aStoredBackupDamagedLaterFailsVerifyAndIsSkippedByRestore() throws Exception {
        Path db = tmp.resolve("later.db");
        create(db, false);
        fill(db, 100);
        BackupSettings s = BackupSettings.in(tmp.resolve("b")).withCompress(false);
        Backup older = SqliteBackups.backup(db, s);
        fill(db, 100);
        Backup newer = SqliteBackups.backup(db, s);
        overwrite(newer.file(), 4096, 4096, (byte) 0x11);
        assertFalse(SqliteBackups.verify(newer, Check.QUICK_CHECK).ok());
        assertTrue(SqliteBackups.verify(older, Check.QUICK_CHECK).ok());
        SqliteBackups.Restored r = SqliteBackups.restore(db, s.dir(), null);
        assertEquals(older.name(), r.from().name(), "the newest backup that still matches its manifest");
        assertEquals(100, count(db));
    }

    @Test
    void retentionKeepsTheNewestVerifiedAndNeverTheLastOne() throws Exception {
        Path db = tmp.resolve("ret.db");
        create(db, false);
        BackupSettings s = BackupSettings.in(tmp.resolve("b")).withKeep(2);
        // What a crash mid-backup leaves: deleted once a day old; a younger one may be a backup under way elsewhere.
        Files.createDirectories(s.dir());
        Path stale = Files.writeString(s.dir().resolve(".ret.db-20260101T000000000Z.db.gz.part"), "x");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofDays(2))));
        Path young = Files.writeString(s.dir().resolve(".verify-123.db"), "x");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fill(db, 10);
            names.add(SqliteBackups.backup(db, s).name());
        }
        assertEquals(List.of(names.get(3), names.get(2)),
                SqliteBackups.list(db, s.dir()).stream().map(Backup::name).toList());
        assertFalse(Files.exists(stale), "a day-old leftover is deleted");
        assertTrue(Files.exists(young), "a young temporary file is left alone");
        // keep=1 with a failing new backup: the one verified backup stays.
        BackupSettings one = s.withKeep(1);
        try (Connection source = SqliteBackups.open(db)) {
            assertThrows(SQLException.class, () -> SqliteBackups.backup(source, db, one,
                    raw -> overwrite(raw, 0, 100, (byte) 0)));
        }
        assertEquals(names.get(3), SqliteBackups.list(db, s.dir()).get(0).name());
    }

    @Test
    void restorePutsTheNewestVerifiedBackupInPlaceAndKeepsTheDamagedFileAside() throws Exception {
        Path db = tmp.resolve("res.db");
        create(db, true);
        fill(db, 500);
        BackupSettings s = BackupSettings.in(tmp.resolve("b"));
        Backup b = SqliteBackups.backup(db, s);
        fill(db, 70); // written after the backup: lost by the restore, as the log says
        overwrite(db, 0, 100, (byte) 0x42);
        byte[] damaged = Files.readAllBytes(db);
        assertThrows(SQLException.class, () -> count(db), "the raw driver cannot read the damaged file");

        SqliteBackups.Restored r = SqliteBackups.restore(db, s.dir(), null);
        assertEquals(b.name(), r.from().name());
        assertEquals(500, count(db));
        assertArrayEquals(damaged, Files.readAllBytes(r.keptAside()), "the damaged file is kept as it was");
        assertEquals(1, SqliteBackups.stats(db).restored());

        // Restoring again never overwrites what was kept aside before.
        SqliteBackups.Restored again = SqliteBackups.restore(db, s.dir(), b.name());
        assertFalse(again.keptAside().equals(r.keptAside()));
        assertArrayEquals(damaged, Files.readAllBytes(r.keptAside()));
    }

    @Test
    void restoreRefusesWhileAnotherConnectionHoldsALock() throws Exception {
        Path db = tmp.resolve("busy.db");
        create(db, false);
        fill(db, 10);
        BackupSettings s = BackupSettings.in(tmp.resolve("b"));
        SqliteBackups.backup(db, s);
        try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = holder.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            SQLException e = assertThrows(SQLException.class, () -> SqliteBackups.restore(db, s.dir(), null));
            assertEquals("55006", e.getSQLState());
            assertTrue(e.getCause() instanceof SQLException, "the real SQLITE_BUSY is its cause");
            assertEquals(5, ((SQLException) e.getCause()).getErrorCode() & 0xff);
            st.execute("ROLLBACK");
        }
        assertEquals(10, count(db), "nothing was replaced");
    }

    @Test
    void restoreWithoutAVerifiedBackupSaysSo() throws Exception {
        Path db = tmp.resolve("none.db");
        create(db, false);
        SQLException e = assertThrows(SQLException.class, () -> SqliteBackups.restore(db, tmp.resolve("empty"), null));
        assertTrue(e.getMessage().contains("no verified backup"), e.getMessage());
        SQLException named = assertThrows(SQLException.class, () -> SqliteBackups.restore(db, tmp.resolve("empty"), "x.db.gz"));
        assertTrue(named.getMessage().contains("no backup named x.db.gz"), named.getMessage());
    }

    // --- helpers shared with the recovery tests ---

    static void create(Path db, boolean wal) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            if (wal) {
                st.execute("PRAGMA journal_mode=WAL");
            }
            st.execute("CREATE TABLE ledger(id INTEGER PRIMARY KEY, writer INT, seq INT, amount INT, note TEXT)");
            st.execute("CREATE INDEX ledger_writer ON ledger(writer, seq)");
        }
    }

    static void fill(Path db, int rows) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger(writer, seq, amount, note) VALUES (0, ?, 1, ?)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "row " + i + " of a ledger that a bad disk may damage");
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
    }

    static long count(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            return single(st, "SELECT count(*) FROM ledger");
        }
    }

    static long single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void overwrite(Path file, long at, int length, byte value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            byte[] b = new byte[length];
            java.util.Arrays.fill(b, value);
            f.write(b);
        }
    }

    Path expand(Backup b) throws IOException {
        Path out = Files.createTempFile(tmp, "expanded-", ".db");
        Codec.expand(b.file(), b.manifest().compressed(), out);
        return out;
    }
}
