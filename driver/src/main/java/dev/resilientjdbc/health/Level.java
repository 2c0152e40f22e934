package dev.resilientjdbc.health;

/** How a target is doing; the overall status is the worst of its checks. */
public enum Level {
    HEALTHY, DEGRADED, UNHEALTHY;

    static Level worst(Level a, Level b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
