/**
 * Telling a silent PostgreSQL host from a slow one: a socket factory for pgjdbc whose reads
 * probe the host ({@code WatchedSocket}, {@code HostProbe}) when no answer comes, with JVM-wide shared
 * verdicts ({@code HostVerdicts}).
 */
package dev.resilientjdbc.liveness;
