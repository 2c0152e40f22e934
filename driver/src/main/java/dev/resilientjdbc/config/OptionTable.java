package dev.resilientjdbc.config;

/** The option table of docs/OPTIONS.md, written from the registry so the two cannot drift apart. */
public final class OptionTable {
    private OptionTable() {}

    public static String markdown(OptionRegistry registry) {
        StringBuilder sb = new StringBuilder();
        sb.append("| option | environment variable | default | accepts | meaning |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Option<?> o : registry.all()) {
            sb.append("| `").append(o.key()).append("` | `").append(o.environmentName()).append("` | `")
                    .append(o.defaultText()).append("` | ").append(escape(o.type().accepted())).append(" | ")
                    .append(escape(o.description())).append(" |\n");
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }

    /** Prints the table, for pasting into docs/OPTIONS.md. */
    public static void main(String[] args) {
        System.out.print(markdown(ResilientOptions.REGISTRY));
    }
}
