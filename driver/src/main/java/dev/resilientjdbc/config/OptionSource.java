package dev.resilientjdbc.config;

/** Where a setting came from, highest precedence first; named in error messages. */
public enum OptionSource {
    URL("the URL query"),
    PROPERTIES("the connection Properties"),
    SYSTEM_PROPERTY("a JVM system property"),
    ENVIRONMENT("an environment variable"),
    DEFAULT("the default");

    private final String description;

    OptionSource(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
