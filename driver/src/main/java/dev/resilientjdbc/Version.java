package dev.resilientjdbc;

/** The driver's version, reported through {@link java.sql.Driver}. */
final class Version {
    static final int MAJOR = 0;
    static final int MINOR = 1;

    private Version() {}
}
