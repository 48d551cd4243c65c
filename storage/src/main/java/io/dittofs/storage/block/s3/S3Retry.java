package io.dittofs.storage.block.s3;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkInterruptedException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The S3 block store's retry policy, applied by the store itself rather than inside the CRT
 * client (whose retries are switched off) so that every retry is seen and counted: a request that
 * fails with a throttling or server error (HTTP 408, 429, 5xx) or a client-side transport failure
 * is sent again, at most {@code maxRetries} times, after a capped exponential backoff with full
 * jitter (AWS's recommended policy). Anything else (403, 404, a bad request, an interrupt, a
 * closed store) fails at once. Each attempt builds a fresh request (a fresh body view, a fresh
 * response sink) from the supplier, so a retried PUT resends the whole block and a retried GET
 * writes its range from the start.
 *
 * <p>Backoff waits run on {@link CompletableFuture#delayedExecutor}, never blocking a caller's
 * thread beyond the join it already does. Thread-safe.
 */
final class S3Retry {
    private final int maxRetries;
    private final long baseMs;
    private final long capMs;
    private final S3RetryListener listener;
    private final BooleanSupplier closed;

    S3Retry(int maxRetries, long baseMs, long capMs, S3RetryListener listener, BooleanSupplier closed) {
        this.maxRetries = Math.max(0, maxRetries);
        this.baseMs = baseMs;
        this.capMs = capMs;
        this.listener = listener;
        this.closed = closed;
    }

    /** Runs {@code attempt} until it succeeds, fails for good, or the retries are used up. */
    <T> CompletableFuture<T> run(String op, Supplier<CompletableFuture<T>> attempt) {
        return run(op, attempt, 0);
    }

    private <T> CompletableFuture<T> run(String op, Supplier<CompletableFuture<T>> attempt, int done) {
        CompletableFuture<T> f;
        try {
            f = attempt.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = unwrap(error);
            if (done >= maxRetries || closed.getAsBoolean() || !retryable(cause)) {
                return CompletableFuture.<T>failedFuture(cause);
            }
            listener.retried(op, cause);
            return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(backoffMs(done), TimeUnit.MILLISECONDS))
                    .thenCompose(x -> run(op, attempt, done + 1));
        }).thenCompose(Function.identity());
    }

    /** Full jitter: uniform in [0, min(cap, base * 2^retry)], at least 1 ms. */
    long backoffMs(int retry) {
        long ceiling = Math.min(capMs, baseMs << Math.min(retry, 20));
        return 1 + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling));
    }

    /** Throttling, server errors and transport failures are worth another attempt; the rest is not. */
    static boolean retryable(Throwable t) {
        if (t instanceof S3Exception s) {
            int code = s.statusCode();
            return code == 408 || code == 429 || code >= 500;
        }
        if (t instanceof SdkInterruptedException) {
            return false;
        }
        if (t instanceof SdkClientException || t instanceof IOException) {
            return true;
        }
        Throwable c = t.getCause();
        return c != null && c != t && retryable(c);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
