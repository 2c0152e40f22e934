package dev.resilientjdbc.it.reconnect;

import dev.resilientjdbc.control.pg.PgServer;
import dev.resilientjdbc.testkit.pg.PgTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, point 8: an application that creates statements and never closes them (common in legacy
 * code) must not make the connection keep them: with the connection still open, statements the
 * application dropped are collectable, as with the raw driver — in autocommit, and in a transaction
 * once it committed (until then its replay log needs them, within resilient.replay.maxBytes).
 */
@PgTest
class UnclosedStatementsTest {
    private static final int STATEMENTS = 5_000;
    private static PgServer pg;

    @BeforeAll
    static void server(PgServer server) {
        pg = server;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"raw autocommit", "resilient autocommit", "raw transaction", "resilient transaction"})
    void droppedStatementsAreNotKeptByAnOpenConnection(String how) throws Exception {
        String url = pg.jdbcUrl() + "?user=postgres";
        if (how.startsWith("resilient")) {
            url = url.replace("jdbc:", "jdbc:resilient:");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(how.endsWith("autocommit"));
            List<WeakReference<Object>> dropped = new ArrayList<>();
            for (int i = 0; i < STATEMENTS; i++) {
                PreparedStatement ps = c.prepareStatement("SELECT ?::int");
                ps.setInt(1, i);
                ResultSet rs = ps.executeQuery();
                assertTrue(rs.next());
                assertEquals(i, rs.getInt(1));
                if (i % 50 == 0) {
                    dropped.add(new WeakReference<>(ps));
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (dropped.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            long kept = dropped.stream().filter(r -> r.get() != null).count();
            assertEquals(0, kept, how + ": statements the application dropped are still reachable from the open connection");
        }
    }
}
