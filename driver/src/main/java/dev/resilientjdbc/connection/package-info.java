/**
 * The logical layer the proxies hand their calls to: {@code LogicalConnection} (lives as long as the
 * application's connection, replaces a lost physical connection and restores its {@code SessionState}),
 * {@code LogicalStatement} and its {@code StatementRecipe}, the gates that decide with
 * {@code retry.RerunRules} whether a failed call runs again ({@code CallGate}, {@code Calls}), and the
 * {@code CommitProtocol} (COMMIT with replay and in-doubt resolution), which works on the
 * logical connection's internals and so lives beside it.
 */
package dev.resilientjdbc.connection;
