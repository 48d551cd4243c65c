package io.dittofs.storage.block.s3;

/**
 * Told of every retry the S3 block store makes (for metrics): {@code op} is the store's name for
 * the request kind ({@code get}, {@code put}, {@code list}, {@code delete}), {@code cause} the
 * failure that is being retried. Called on the S3 client's threads: must be cheap and thread-safe.
 */
@FunctionalInterface
public interface S3RetryListener {
    /** Ignores retries. */
    S3RetryListener NONE = (op, cause) -> { };

    void retried(String op, Throwable cause);
}
