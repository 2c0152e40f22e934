package dev.resilientjdbc.config;

/** What the first connection to a file does when the file is damaged or gone: nothing, or restore the newest verified backup. */
public enum Recover { OFF, RESTORE }
