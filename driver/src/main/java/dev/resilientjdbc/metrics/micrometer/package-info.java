/**
 * The optional Micrometer binding ({@code ResilientMicrometer}): meters per target in a Micrometer
 * registry. Loaded only when Micrometer is present.
 */
package dev.resilientjdbc.metrics.micrometer;
