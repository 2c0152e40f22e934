/**
 * One {@code Target} per database and user, owning what its connections share (guard, pools,
 * metrics, health checks) and closing it all; {@code TargetRegistry} holds the targets of one owner
 * (the driver or the java agent).
 */
package dev.resilientjdbc.target;
