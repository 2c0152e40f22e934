package dev.resilientjdbc.retry;

import dev.resilientjdbc.classify.FailureClass;

import java.sql.SQLException;

/**
 * Carries a failure the safety rules allow us to retry through Failsafe's policies. Failures that
 * may not be retried are never wrapped, so they leave the first attempt as the very same object.
 */
final class RetryableFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final SQLException failure;
    final FailureClass failureClass;

    RetryableFailure(SQLException failure, FailureClass failureClass) {
        super(null, failure, false, false); // no stack trace: it never leaves the retry layer
        this.failure = failure;
        this.failureClass = failureClass;
    }
}
