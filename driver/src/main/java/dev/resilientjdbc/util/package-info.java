/**
 * Small shared utilities with no dependency on the rest of the driver: {@code SqlText} (what a
 * statement's text tells: read-only, session {@code SET}) and {@code ClockCache} (a bounded map with
 * clock eviction).
 */
package dev.resilientjdbc.util;
