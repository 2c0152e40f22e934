/**
 * Dropwizard metrics per target ({@code ResilientMetrics}, {@code TargetMeters}): call timings,
 * retries, breaker state, error window, and the JMX reporter; Micrometer is bound through
 * {@code MicrometerHook} only when it is on the class path.
 */
package dev.resilientjdbc.metrics;
