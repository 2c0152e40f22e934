package dev.resilientjdbc.tool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command on a real file: backup, list, damage, restore, verify; and what a user reads first. */
class SqliteCommandTest {
    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ToolMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void backupListDamageRestoreVerify() throws Exception {
        Path db = tmp.resolve("music.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE track(id INTEGER PRIMARY KEY, title TEXT)");
            st.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO track(title) SELECT 'track ' || i FROM n");
        }
        Run backup = run("sqlite", "backup", "--db", db.toString());
        assertEquals(0, backup.status(), backup.err());
        assertTrue(backup.out().startsWith("verified backup "), backup.out());

        Run list = run("sqlite", "list", "--db", db.toString());
        assertEquals(0, list.status());
        assertTrue(list.out().contains("verified (integrity_check)"), list.out());

        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.write(new byte[100]); // the header gone: SQLITE_NOTADB
        }
        assertThrows(SQLException.class, () -> count(db), "the damage is real");

        Run restore = run("sqlite", "restore", "--db", db.toString());
        assertEquals(0, restore.status(), restore.err());
        assertTrue(restore.out().contains("kept as"), restore.out());
        assertEquals(300, count(db));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("music.db.damaged-")).count());
        }

        Run verify = run("sqlite", "verify", "--db", db.toString(), "--check", "quick_check");
        assertEquals(0, verify.status(), verify.err());
        assertTrue(verify.out().contains(": ok"), verify.out());
    }

    @Test
    void failuresAreOneLineAndStatusOne() {
        Run r = run("sqlite", "restore", "--db", tmp.resolve("none.db").toString(), "--dir", tmp.resolve("b").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no verified backup of none.db"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void badUsageIsStatusTwoAndHelpSaysWhatEachCommandDoes() {
        assertEquals(2, run("sqlite", "restore").status(), "--db is required");
        Run help = run("sqlite", "--help");
        assertEquals(0, help.status());
        for (String sub : new String[] {"backup", "list", "restore", "verify"}) {
            assertTrue(help.out().contains(sub), help.out());
        }
        assertTrue(run("sqlite", "restore", "--help").out().contains("--from"));
    }

    private static long count(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM track")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
