package dev.resilientjdbc.bench;

/** The URL each benchmark side connects with: the raw driver's, or the same through resilient-jdbc. */
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
            default:
                throw new IllegalArgumentException("unknown side '" + side + "'");
        }
    }
}
