/**
 * Health checks per target ({@code TargetHealth}: reachable, breaker, pool, error rate, latency) and
 * the opt-in HTTP endpoint ({@code resilient.http.port}) serving {@code /health}, {@code /metrics}
 * and a status page on a {@code BoundedHttpServer}.
 */
package dev.resilientjdbc.health;
