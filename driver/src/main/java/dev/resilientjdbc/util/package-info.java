/**
 * Small shared utilities with no dependency on the rest of the driver: {@code SqlText} (what a
 * statement's text tells: read-only, session {@code SET}) {@code ClockCache} (a bounded map with
 * clock eviction) and {@code OwnedScheduler} (a named daemon thread whose stop waits for it to end).
 */
package dev.resilientjdbc.util;
