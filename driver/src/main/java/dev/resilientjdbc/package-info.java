/**
 * The driver's entry points: {@link dev.resilientjdbc.ResilientDriver} ({@code jdbc:resilient:}),
 * {@link dev.resilientjdbc.ResilientDataSource}, and {@code Assembly}, which puts one resilient
 * connection together (classifier, retrier, pool, metrics, health, logical connection, proxy) for the
 * driver and the java agent. {@code Targets} caches what a URL resolved to.
 */
package dev.resilientjdbc;
