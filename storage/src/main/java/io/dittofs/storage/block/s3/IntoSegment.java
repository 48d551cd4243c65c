package io.dittofs.storage.block.s3;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Copies a GET body into a segment as it arrives, without a heap array. One instance per request
 * attempt; the segment must be accessible from the SDK's threads.
 */
final class IntoSegment implements AsyncResponseTransformer<GetObjectResponse, Long> {
    private final MemorySegment dst;
    private volatile CompletableFuture<Long> result;

    IntoSegment(MemorySegment dst) {
        this.dst = dst;
    }

    @Override
    public CompletableFuture<Long> prepare() {
        result = new CompletableFuture<>();
        return result;
    }

    @Override
    public void onResponse(GetObjectResponse response) {
    }

    @Override
    public void onStream(SdkPublisher<ByteBuffer> publisher) {
        CompletableFuture<Long> cf = result;
        publisher.subscribe(new Subscriber<>() {
            private long pos;

            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer bb) {
                long n = Math.min(bb.remaining(), dst.byteSize() - pos);
                if (n > 0) {
                    MemorySegment.copy(MemorySegment.ofBuffer(bb), 0, dst, pos, n);
                    pos += n;
                }
            }

            @Override
            public void onError(Throwable t) {
                cf.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                cf.complete(pos);
            }
        });
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        CompletableFuture<Long> cf = result;
        if (cf != null) {
            cf.completeExceptionally(error);
        }
    }
}
