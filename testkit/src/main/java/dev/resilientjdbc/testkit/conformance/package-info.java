/**
 * Differential conformance testing: run the same JDBC scenario against a raw driver URL and against
 * {@code jdbc:resilient:} + that URL, record everything the application could observe, and require
 * the two recordings to be identical.
 */
package dev.resilientjdbc.testkit.conformance;
