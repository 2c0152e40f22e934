/**
 * The {@code resilient.*} options: each declared once in {@code ResilientOptions} with its type and
 * default, read from the URL, Properties, system properties and environment ({@code ConfigResolver}),
 * and resolved per target into an immutable {@code ResilientConfig}. Also the small value types
 * options take ({@code BackoffStrategy}, SQLite backup {@code Check} and {@code Recover}) and URL masking.
 */
package dev.resilientjdbc.config;
