/**
 * Transaction replay: the {@code TransactionLog} of everything an explicit transaction did and saw,
 * digests of each answer ({@code Observation}), and the result sets moved onto a replay's
 * ({@code ResultSetTrack}). Depends on no other package of the driver.
 */
package dev.resilientjdbc.replay;
