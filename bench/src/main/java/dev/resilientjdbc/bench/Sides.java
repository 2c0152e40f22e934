package dev.resilientjdbc.bench;

/** What the benchmarks share: the URL of each side (the raw driver's, or the same through resilient-jdbc), and the scan. */
final class Sides {
    private Sides() {}

    static String url(String side, String raw) {
        String resilient = raw.replace("jdbc:", "jdbc:resilient:") + (raw.contains("?") ? "&" : "?");
        switch (side) {
            case "raw":
                return raw;
            case "resilient":
                return resilient + "resilient.metrics.enabled=true";
            case "resilient-nometrics":
                return resilient + "resilient.metrics.enabled=false";
            case "resilient-noreplay":
                return resilient + "resilient.replay.maxBytes=0";
            case "resilient-marker":
                return resilient + "resilient.indoubt.marker=true"; // the default since issue 22: kept for old command lines
            case "resilient-nomarker":
                return resilient + "resilient.indoubt.marker=false";
            case "resilient-exactlyonce":
                return resilient + "resilient.autocommit.exactlyOnce=true";
            default:
                throw new IllegalArgumentException("unknown side '" + side + "'");
        }
    }

    /** Reads every row of table {@code wide} (5 int, 3 text, 2 real columns) through the typed getters. */
    static void readWide(java.sql.Statement statement, org.openjdk.jmh.infra.Blackhole bh) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = statement.executeQuery("SELECT * FROM wide")) {
            while (rs.next()) {
                for (int col = 1; col <= 5; col++) {
                    bh.consume(rs.getInt(col));
                }
                for (int col = 6; col <= 8; col++) {
                    bh.consume(rs.getString(col));
                }
                bh.consume(rs.getDouble(9));
                bh.consume(rs.getDouble(10));
            }
        }
    }
}
