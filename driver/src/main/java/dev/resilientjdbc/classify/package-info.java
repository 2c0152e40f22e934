/**
 * What kind of failure an {@link java.sql.SQLException} is ({@code FailureClass}): one classifier per
 * dialect (PostgreSQL, SQLite, generic by SQLState), with the user's overrides in front. Pure
 * decisions; depends on no other package of the driver.
 */
package dev.resilientjdbc.classify;
