package io.dittofs.storage.block.s3;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3CrtAsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * File content in an S3 bucket (or any S3-compatible server), on the AWS SDK v2 S3 client built
 * with {@link S3AsyncClient#crtBuilder()} (the AWS CRT S3 client: native HTTP),
 * retrying failed requests itself ({@link S3Retry}) so that each retry is counted (the CRT client
 * adds one quick retry of its own per attempt, which it does not let us switch off or observe).
 *
 * <p><b>Layout</b>: content {@code id} lives in objects {@code <prefix>/<id>/<block index>}, each
 * at most {@link #BLOCK_SIZE} bytes (the same blocks as the fs store); a missing block, or the part
 * past a short block, reads as zeros.
 *
 * <p><b>Writes</b> are read-modify-write per block: when a write does not cover all of a block's
 * current content the block is fetched first, then the whole new block is PUT. A PUT replaces an
 * object atomically, so a block is always either the old or the new one, never torn. The blocks of
 * one write are fetched and stored in parallel. Writers to the same block are serialised by a lock
 * stripe. A completed PUT is durable, so {@link #sync} has nothing to do.
 *
 * <p><b>Index</b>: at open the store lists its prefix once and keeps the size of every block in
 * memory (one bit per full block, an entry per short block). Reads skip holes without a request and
 * ask for exactly the bytes a block has; truncate knows which blocks to drop; {@link #usedBytes} is
 * exact. This assumes <b>one store owns the prefix</b>: objects written there by anyone else after
 * open are not seen until the next open. {@link #delete} still lists the file's prefix, so it also
 * removes objects the index missed.
 *
 * <p><b>Memory</b>: block buffers are off-heap (a shared arena per call) and go to the SDK as
 * direct {@link ByteBuffer}s without copying ({@code fromByteBufferUnsafe}); GET bodies are copied
 * from the client's buffers straight into off-heap memory. The copies that remain: the caller's
 * data into the block buffer (a block is built whole for the PUT), and for a read into a segment
 * confined to the caller's thread, one off-heap bounce buffer (the SDK completes on its own
 * threads, which cannot touch a confined segment). The CRT client itself copies request and
 * response bodies between Java and native memory; that is outside this class.
 *
 * <p>Credentials are never logged; {@link Config#toString()} masks the secret.
 */
public final class S3BlockStore implements BlockStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3BlockStore.class);
    public static final int BLOCK_SIZE = 1024 * 1024;
    private static final int STRIPES = 256;
    private static final int DELETE_BATCH = 1000;
    /** Retries inside the CRT client per attempt of ours: it cannot be switched off, nor observed from Java. */
    static final int CRT_RETRIES = 1;
    private static final long RETRY_BASE_MS = 50;
    private static final long RETRY_CAP_MS = 2_000;
    /** A thread that is never the owner of a confined segment: probes whether a segment is shared. */
    private static final Thread PROBE = Thread.ofVirtual().unstarted(() -> { });

    /**
     * Where and how to reach the bucket.
     *
     * @param bucket    the bucket (must exist)
     * @param prefix    key prefix, may be null or empty; a trailing '/' is optional
     * @param region    AWS region, null for us-east-1
     * @param endpoint  endpoint override for S3-compatible servers (path-style addressing), or null
     * @param accessKey static access key, or null for the SDK's default credentials chain
     * @param secretKey static secret key (with {@code accessKey})
     * @param retries   retries per request on retryable failures (the CRT client's policy)
     */
    public record Config(String bucket, String prefix, String region, URI endpoint,
                         String accessKey, String secretKey, int retries) {
        public Config {
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("S3 block store needs a bucket");
            }
            if ((accessKey == null) != (secretKey == null)) {
                throw new IllegalArgumentException("S3 access key and secret key go together");
            }
        }

        public Config(String bucket, String prefix, String region, URI endpoint, String accessKey, String secretKey) {
            this(bucket, prefix, region, endpoint, accessKey, secretKey, 3);
        }

        @Override
        public String toString() {
            return "S3[bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + ", endpoint=" + endpoint
                    + ", credentials=" + (accessKey == null ? "default chain" : "static " + accessKey + "/****") + "]";
        }
    }

    private final Config config;
    private final String bucket;
    private final String prefix;
    private final S3AsyncClient client;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Map<Long, FileBlocks> files = new ConcurrentHashMap<>();
    private final AtomicLong used = new AtomicLong();
    private final S3Retry retry;
    private volatile boolean closed;

    public S3BlockStore(Config config) {
        this(config, S3RetryListener.NONE);
    }

    /** A store whose request retries ({@link Config#retries()} at most per request) are reported to {@code retries}. */
    public S3BlockStore(Config config, S3RetryListener retries) {
        this.config = config;
        this.retry = new S3Retry(config.retries(), RETRY_BASE_MS, RETRY_CAP_MS, retries, () -> closed);
        this.bucket = config.bucket();
        String p = config.prefix() == null ? "" : config.prefix().strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        this.prefix = p.isEmpty() ? "" : p + "/";
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        this.client = buildClient(config);
        try {
            loadIndex();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        LOG.info("S3 block store {}: {} files, {} bytes", config, files.size(), used.get());
    }

    private static S3AsyncClient buildClient(Config c) {
        AwsCredentialsProvider credentials = c.accessKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        S3CrtAsyncClientBuilder b = S3AsyncClient.crtBuilder()
                .region(Region.of(c.region() == null || c.region().isBlank() ? "us-east-1" : c.region()))
                .credentialsProvider(credentials)
                // the fewest the CRT client allows (0 means its default of 3 to 5); S3Retry retries on top, and counts
                .retryConfiguration(r -> r.numRetries(CRT_RETRIES));
        if (c.endpoint() != null) {
            b.endpointOverride(c.endpoint()).forcePathStyle(true);
        }
        return b.build();
    }

    /** The store's configuration (secret masked in its toString). */
    public Config config() {
        return config;
    }

    // ---------------------------------------------------------------- keys and index

    private String fileKeyPrefix(long id) {
        return prefix + Long.toUnsignedString(id) + "/";
    }

    private String key(long id, long index) {
        return fileKeyPrefix(id) + index;
    }

    private ReentrantLock stripe(long id, long block) {
        return stripes[(int) Math.floorMod(id * 31 + block, STRIPES)];
    }

    private void loadIndex() {
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = join(retry.run("list", () -> client.listObjectsV2(r -> r.bucket(bucket).prefix(prefix).continuationToken(t))),
                    "list", prefix);
            for (S3Object o : page.contents()) {
                String rest = o.key().substring(prefix.length());
                int slash = rest.indexOf('/');
                if (slash <= 0 || slash == rest.length() - 1 || o.size() == null || o.size() > BLOCK_SIZE) {
                    continue;
                }
                try {
                    long id = Long.parseUnsignedLong(rest.substring(0, slash));
                    long index = Long.parseLong(rest.substring(slash + 1));
                    if (index < 0) {
                        continue;
                    }
                    int size = (int) (long) o.size();
                    int old = files.computeIfAbsent(id, k -> new FileBlocks()).set(index, size);
                    used.addAndGet(size - old);
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    /** The table entry of a file, read-locked; never one that was removed meanwhile. */
    private FileBlocks lockForWrite(long id) {
        while (true) {
            FileBlocks f = files.computeIfAbsent(id, k -> new FileBlocks());
            f.rw.readLock().lock();
            if (!f.removed) {
                return f;
            }
            f.rw.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- BlockStore

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        checkOpen();
        dst.fill((byte) 0);
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset " + offset);
        }
        long len = Math.min(dst.byteSize(), Long.MAX_VALUE - offset); // nothing lies at or past 2^63 - 1
        FileBlocks f = files.get(contentId);
        if (len == 0 || f == null) {
            return;
        }
        f.rw.readLock().lock();
        try {
            if (f.removed) {
                return;
            }
            boolean direct = dst.isAccessibleBy(PROBE);
            Arena arena = null; // only for a bounce buffer, and only when there is something to fetch
            try {
                MemorySegment target = direct ? dst : null;
                List<CompletableFuture<Long>> gets = new ArrayList<>();
                long done = 0;
                while (done < len) {
                    long pos = offset + done;
                    long index = pos / BLOCK_SIZE;
                    int inBlock = (int) (pos % BLOCK_SIZE);
                    int n = (int) Math.min(len - done, BLOCK_SIZE - inBlock);
                    int size = f.size(index);
                    if (inBlock < size) {
                        int m = Math.min(n, size - inBlock);
                        if (target == null) {
                            arena = Arena.ofShared();
                            target = arena.allocate(len); // zeroed
                        }
                        gets.add(getInto(key(contentId, index), inBlock, target.asSlice(done, m)));
                    }
                    done += n;
                }
                joinAll(gets, "read", contentId);
                if (target != null && target != dst) { // the bounce buffer holds len bytes
                    MemorySegment.copy(target, 0, dst, 0, len);
                }
            } finally {
                if (arena != null) {
                    arena.close();
                }
            }
        } finally {
            f.rw.readLock().unlock();
        }
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        checkOpen();
        long len = src.byteSize();
        checkRange(offset, len);
        if (len == 0) {
            return;
        }
        long first = offset / BLOCK_SIZE;
        long last = (offset + len - 1) / BLOCK_SIZE;
        FileBlocks f = lockForWrite(contentId);
        try {
            TreeSet<Integer> stripeIds = new TreeSet<>();
            for (long i = first; i <= last && stripeIds.size() < STRIPES; i++) {
                stripeIds.add(Math.floorMod(contentId * 31 + i, STRIPES));
            }
            for (int s : stripeIds) {
                stripes[s].lock();
            }
            try (Arena arena = Arena.ofShared()) {
                int blocks = (int) (last - first + 1);
                MemorySegment[] bufs = new MemorySegment[blocks];
                int[] newSizes = new int[blocks];
                List<CompletableFuture<Long>> gets = new ArrayList<>();
                for (int b = 0; b < blocks; b++) {
                    long index = first + b;
                    long blockStart = index * BLOCK_SIZE;
                    int inBlock = (int) Math.max(0, offset - blockStart);
                    int end = (int) Math.min(BLOCK_SIZE, offset + len - blockStart);
                    int old = f.size(index);
                    newSizes[b] = Math.max(old, end);
                    bufs[b] = arena.allocate(newSizes[b]); // zeroed: the gap before a write past a short block
                    boolean covers = inBlock == 0 && end >= old;
                    if (old > 0 && !covers) {
                        gets.add(getInto(key(contentId, index), 0, bufs[b].asSlice(0, old)));
                    }
                }
                joinAll(gets, "write (read back)", contentId);
                List<CompletableFuture<?>> puts = new ArrayList<>();
                for (int b = 0; b < blocks; b++) {
                    long index = first + b;
                    long blockStart = index * BLOCK_SIZE;
                    int inBlock = (int) Math.max(0, offset - blockStart);
                    int end = (int) Math.min(BLOCK_SIZE, offset + len - blockStart);
                    // copy on the caller's thread: its segment may be confined to it
                    MemorySegment.copy(src, blockStart + inBlock - offset, bufs[b], inBlock, end - inBlock);
                    int newSize = newSizes[b];
                    MemorySegment block = bufs[b];
                    puts.add(retry.run("put", () -> client.putObject(
                                    r -> r.bucket(bucket).key(key(contentId, index)).contentLength((long) newSize),
                                    AsyncRequestBody.fromByteBufferUnsafe(block.asByteBuffer())))
                            .thenRun(() -> used.addAndGet(newSize - f.set(index, newSize))));
                }
                joinAll(puts, "write", contentId);
            } finally {
                for (int s : stripeIds.descendingSet()) {
                    stripes[s].unlock();
                }
            }
        } finally {
            f.rw.readLock().unlock();
        }
    }

    @Override
    public void truncate(long contentId, long size) {
        checkOpen();
        checkRange(size, 0);
        FileBlocks f = files.get(contentId);
        if (f == null) {
            return;
        }
        f.rw.writeLock().lock();
        try {
            if (f.removed) {
                return;
            }
            // blocks holding bytes below size, rounded up without overflow (size may be 2^63 - 1)
            long keep = size / BLOCK_SIZE + (size % BLOCK_SIZE == 0 ? 0 : 1);
            List<Long> drop = f.indexesFrom(keep);
            List<String> keys = new ArrayList<>(drop.size());
            for (long i : drop) {
                keys.add(key(contentId, i));
            }
            deleteKeys(keys, contentId);
            for (long i : drop) {
                used.addAndGet(-f.set(i, 0));
            }
            int tail = (int) (size % BLOCK_SIZE);
            if (tail != 0) {
                long index = keep - 1;
                int old = f.size(index);
                if (old > tail) {
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment buf = arena.allocate(tail);
                        String key = key(contentId, index);
                        join(getInto(key, 0, buf), "truncate (read back)", key);
                        join(retry.run("put", () -> client.putObject(r -> r.bucket(bucket).key(key).contentLength((long) tail),
                                AsyncRequestBody.fromByteBufferUnsafe(buf.asByteBuffer()))), "truncate", key);
                        used.addAndGet(tail - f.set(index, tail));
                    }
                }
            }
        } finally {
            f.rw.writeLock().unlock();
        }
    }

    @Override
    public void delete(long contentId) {
        checkOpen();
        FileBlocks f = files.get(contentId);
        if (f != null) {
            f.rw.writeLock().lock();
        }
        try {
            String filePrefix = fileKeyPrefix(contentId);
            String token = null;
            do {
                String t = token;
                ListObjectsV2Response page = join(retry.run("list", () -> client.listObjectsV2(r -> r.bucket(bucket).prefix(filePrefix).continuationToken(t))),
                        "delete (list)", filePrefix);
                deleteKeys(page.contents().stream().map(S3Object::key).toList(), contentId);
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            if (f != null && !f.removed) {
                used.addAndGet(-f.total());
                f.removed = true;
                files.remove(contentId, f);
            }
        } finally {
            if (f != null) {
                f.rw.writeLock().unlock();
            }
        }
    }

    /** A completed PUT is durable: nothing to do. */
    @Override
    public void sync(long contentId) {
        checkOpen();
    }

    @Override
    public long usedBytes() {
        return used.get();
    }

    @Override
    public long capacityBytes() {
        return -1;
    }

    /**
     * {@value Long#MAX_VALUE}: a byte at offset {@code p} lives in object {@code <id>/<p / BLOCK_SIZE>}
     * (the block index a {@code long} in decimal, so a key stays far below S3's 1,024 bytes) and the
     * index keeps blocks past 2^31 in its map, so every offset below 2^63 - 1 has a block.
     */
    @Override
    public long maxFileSize() {
        return Long.MAX_VALUE;
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
    }

    // ---------------------------------------------------------------- S3 calls

    private void deleteKeys(List<String> keys, long contentId) {
        List<CompletableFuture<DeleteObjectsResponse>> batches = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += DELETE_BATCH) {
            List<ObjectIdentifier> ids = keys.subList(i, Math.min(keys.size(), i + DELETE_BATCH)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            batches.add(retry.run("delete",
                    () -> client.deleteObjects(r -> r.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()))));
        }
        joinAll(batches, "delete", contentId);
        for (CompletableFuture<DeleteObjectsResponse> b : batches) {
            DeleteObjectsResponse r = b.join();
            if (r.hasErrors() && !r.errors().isEmpty()) {
                var e = r.errors().getFirst();
                throw new FsException(FsError.IO, "S3 delete of " + e.key() + " in " + bucket + " failed: " + e.code() + " " + e.message());
            }
        }
    }

    /**
     * GETs {@code dst.byteSize()} bytes of {@code key} from {@code from} straight into {@code dst}
     * (which must be accessible from any thread); a missing object or range leaves {@code dst} as it is.
     */
    private CompletableFuture<Long> getInto(String key, long from, MemorySegment dst) {
        String range = "bytes=" + from + "-" + (from + dst.byteSize() - 1);
        return retry.run("get", () -> client.getObject(r -> r.bucket(bucket).key(key).range(range), new IntoSegment(dst)))
                .exceptionally(t -> {
                    Throwable c = S3Retry.unwrap(t);
                    if (c instanceof NoSuchKeyException
                            || c instanceof S3Exception s && (s.statusCode() == 404 || s.statusCode() == 416)) {
                        return 0L; // missing block (or nothing at that range): zeros
                    }
                    throw t instanceof CompletionException ce ? ce : new CompletionException(c);
                });
    }

    private <T> T join(CompletableFuture<T> f, String op, String key) {
        try {
            return f.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable c = S3Retry.unwrap(e);
            throw new FsException(FsError.IO, "S3 " + op + " of " + bucket + "/" + key + " failed: " + c.getMessage(), c);
        }
    }

    /** Waits for all (so no buffer is still in use when its arena closes), then fails with the first error. */
    private void joinAll(List<? extends CompletableFuture<?>> fs, String op, long contentId) {
        if (fs.isEmpty()) {
            return;
        }
        join(CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)), op, fileKeyPrefix(contentId));
    }

    private void checkOpen() {
        if (closed) {
            throw new FsException(FsError.IO, "block store closed");
        }
    }

    /** Refuses a range that does not end at or below {@link #maxFileSize()} (offset + len, overflow-safe). */
    private void checkRange(long offset, long len) {
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset " + offset);
        }
        if (len > maxFileSize() || offset > maxFileSize() - len) {
            throw new FsException(FsError.FILE_TOO_LARGE, "range " + offset + "+" + len + " past " + maxFileSize());
        }
    }
}
