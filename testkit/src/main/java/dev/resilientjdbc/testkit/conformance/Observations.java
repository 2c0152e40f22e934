package dev.resilientjdbc.testkit.conformance;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The observation log of one run: one line per thing the application saw, in order. Exceptions are
 * observations too, so a call that throws on the raw driver must throw the same on the proxy.
 */
public final class Observations {
    private final List<Object> lines = new ArrayList<>();

    /** Records a value the application read. */
    public void note(String label, Object value) {
        lines.add(label + " = " + Values.render(value));
    }

    /** Performs a call and records its result or its exception; returns the result, or null after an exception. */
    public <T> T attempt(String label, SqlCall<T> call) {
        try {
            T result = call.call();
            note(label, result);
            return result;
        } catch (Exception e) {
            lines.add(label + " " + Values.thrown(e));
            return null;
        }
    }

    /** Performs a call and records "ok" or its exception; returns whether it completed. */
    public boolean attemptRun(String label, SqlAction action) {
        try {
            action.run();
            lines.add(label + " ok");
            return true;
        } catch (Exception e) {
            lines.add(label + " " + Values.thrown(e));
            return false;
        }
    }

    /** Records an exception the scenario caught itself. */
    public void thrown(String label, Throwable t) {
        lines.add(label + " " + Values.thrown(t));
    }

    /**
     * Records a whole result set: its columns (label, JDBC type, type name, Java class) and every
     * remaining row (getObject and wasNull for each column). Leaves it positioned after the last row.
     */
    public void rows(String label, ResultSet rs) throws Exception {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        StringBuilder columns = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            columns.append(i == 1 ? "" : ", ").append(md.getColumnLabel(i)).append(':').append(md.getColumnType(i))
                    .append(':').append(md.getColumnTypeName(i)).append(':').append(md.getColumnClassName(i));
        }
        lines.add(label + " columns [" + columns + "]");
        int row = 0;
        while (rs.next()) {
            row++;
            StringBuilder values = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                Object v = rs.getObject(i);
                values.append(i == 1 ? "" : ", ").append(Values.render(v)).append(rs.wasNull() ? "(null)" : "");
            }
            lines.add(label + " row " + row + " [" + values + "]");
        }
        lines.add(label + " rows " + row);
    }

    /** As {@link #rows}, but an exception while reading is recorded (after the rows read so far) instead of thrown. */
    public void attemptRows(String label, ResultSet rs) {
        try {
            rows(label, rs);
        } catch (Exception e) {
            thrown(label + " reading rows", e);
        }
    }

    public List<Object> lines() {
        return Collections.unmodifiableList(lines);
    }
}
