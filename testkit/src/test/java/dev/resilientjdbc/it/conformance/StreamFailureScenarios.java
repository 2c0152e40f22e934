package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;
import org.postgresql.util.ByteStreamWriter;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An application's own stream fails while the real driver sends it (setBinaryStream, pgjdbc's
 * ByteStreamWriter): the application's IOException stays the cause it can reach, on both runs.
 */
final class StreamFailureScenarios {
    private StreamFailureScenarios() {}

    static void register(Catalog c) {
        c.pgOnly("application stream throws IOException: setBinaryStream", p -> failing(p, Kind.STREAM));
        c.pgOnly("application stream throws IOException: setBinaryStream without a length", p -> failing(p, Kind.STREAM_NO_LENGTH));
        c.pgOnly("application stream throws IOException: ByteStreamWriter", p -> failing(p, Kind.WRITER));
    }

    /** The application's own failure, recognisable by its message wherever it ends up. */
    static final class AppStreamFailure extends IOException {
        AppStreamFailure() {
            super("the application's stream failed");
        }
    }

    private enum Kind { STREAM, STREAM_NO_LENGTH, WRITER }

    private static void failing(Probe p, Kind kind) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        try (Statement s = c.createStatement()) {
            s.execute("create table stream_t (b bytea)");
        }
        try (PreparedStatement ps = c.prepareStatement("insert into stream_t values (?)")) {
            switch (kind) {
                case WRITER -> ps.setObject(1, new FailingWriter());
                case STREAM -> ps.setBinaryStream(1, new FailingStream(), 100);
                case STREAM_NO_LENGTH -> log.attemptRun("setBinaryStream", () -> ps.setBinaryStream(1, new FailingStream()));
            }
            SQLException e = null;
            try {
                ps.executeUpdate();
            } catch (SQLException thrown) {
                e = thrown;
            }
            p.require("the fault hit: the insert failed", e != null);
            log.thrown("executeUpdate", e);
            log.note("the application's IOException is the cause", e != null && e.getCause() instanceof AppStreamFailure);
        }
        log.attempt("isClosed", c::isClosed);
        log.attempt("next call", () -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery("select count(*) from stream_t")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** Gives 10 bytes, then fails as a file or socket the application reads from might. */
    private static final class FailingStream extends InputStream {
        private int given;

        @Override
        public int read() throws IOException {
            if (given++ >= 10) {
                throw new AppStreamFailure();
            }
            return 'x';
        }
    }

    private static final class FailingWriter implements ByteStreamWriter {
        @Override
        public int getLength() {
            return 100;
        }

        @Override
        public void writeTo(ByteStreamTarget target) throws IOException {
            target.getOutputStream().write(new byte[10]);
            throw new AppStreamFailure();
        }
    }
}
