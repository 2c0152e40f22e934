package dev.resilientjdbc.config;

import java.util.List;

/**
 * Every option the driver understands, declared once. Add an option here and in the README's
 * table together; {@code ReadmeOptionTableTest} fails when the two disagree.
 */
public final class ResilientOptions {
    private ResilientOptions() {}

    public static final Option<Boolean> ENABLED = new Option<>("resilient.enabled", OptionType.bool(), true, "true",
            "false hands the application the real driver's connection unchanged: no proxies, no recovery"
                    + " (an off switch that needs no code change)");

    public static final OptionRegistry REGISTRY = new OptionRegistry(List.of(
            ENABLED));
}
