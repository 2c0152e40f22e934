package dev.resilientjdbc.it.legacy;

/** Does nothing but reach main and say so: the JVM start-up cost, with or without the agent. */
public final class StartupProbe {
    private StartupProbe() {}

    public static void main(String[] args) {
        System.out.println("MAIN");
    }
}
