package dev.resilientjdbc.config;

/** How the delay between two attempts grows. */
public enum BackoffStrategy {
    /** baseDelay × multiplier^(attempt-1), capped at maxDelay, with jitter. */
    EXPONENTIAL,
    /** baseDelay × attempt, capped at maxDelay, with jitter. */
    LINEAR,
    /** baseDelay every time, with jitter. */
    FIXED,
    /** Uniformly random between baseDelay and maxDelay. */
    RANDOM
}
