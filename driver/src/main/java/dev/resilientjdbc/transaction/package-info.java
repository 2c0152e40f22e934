/**
 * Where an explicit transaction stands ({@code TransactionState}) and the per-file SQLite gate that
 * lets transactions on one file run one at a time in this JVM ({@code TransactionGate}).
 */
package dev.resilientjdbc.transaction;
