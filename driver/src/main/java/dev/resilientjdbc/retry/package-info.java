/**
 * Whether and how a call runs again: {@code RerunRules} (the safety rules as pure decisions), the
 * {@code Retrier} over Failsafe policies, and what one target shares ({@code TargetGuard}: circuit
 * breaker, {@code RetryStats}, read-only fallback state, replay turns).
 */
package dev.resilientjdbc.retry;
