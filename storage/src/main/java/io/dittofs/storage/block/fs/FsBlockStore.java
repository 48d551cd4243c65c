package io.dittofs.storage.block.fs;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;
import io.dittofs.core.spi.BlockStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * File content in a local directory, as fixed-size blocks: content {@code id} lives in
 * {@code root/<id % 256 as 2 hex digits>/<id>/<block index>}, each block file at most
 * {@link #BLOCK_SIZE} bytes; a missing block or the part past a short block reads as zeros
 * (sparse files).
 *
 * <p><b>Atomic writes</b>: a block is never modified in place. A write builds the new block in a
 * temporary file, forces it, and renames it over the old one, so a crash leaves either the old
 * or the new block, never a torn one. <b>Atomic deletes</b>: a file's directory is renamed away
 * first, then removed. {@link #sync} forces the directories the renames touched.
 *
 * <p>Thread-safe: writers to the same block are serialised by a lock stripe.
 */
public final class FsBlockStore implements BlockStore {
    public static final int BLOCK_SIZE = 1024 * 1024;
    private static final int STRIPES = 256;

    private final Path root;
    private final Path trash;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final AtomicLong used = new AtomicLong();
    private final ConcurrentHashMap<Long, Boolean> unsyncedDirs = new ConcurrentHashMap<>();
    /** Blocks renamed into place without their own fsync, forced at the next {@link #sync}. */
    private final ConcurrentHashMap<Long, java.util.Set<Long>> unsyncedBlocks = new ConcurrentHashMap<>();
    private final boolean deferReplacingSync;
    /** Bucket directories ({@code root/<id % 256>}) whose entry in the root is known to be durable. */
    private final java.util.Set<Integer> durableBuckets = ConcurrentHashMap.newKeySet();
    /** Content removed by {@link #delete} whose bucket directory has not been forced since. */
    private final java.util.Set<Long> unsyncedDeletes = ConcurrentHashMap.newKeySet();
    /** Buffers for read-modify-write of partial blocks (at most 32 at once: writers wait beyond). */
    private final BufferPool pool = new BufferPool(64, 32, 32);
    private volatile boolean closed;

    /** A standalone store: every block is forced before it is renamed into place. */
    public FsBlockStore(Path root) {
        this(root, false);
    }

    /**
     * @param deferReplacingSync when true, a write that replaces a block's whole content (nothing
     *                           of the old block survives it) is renamed into place without its own
     *                           fsync, which {@link #sync} does later. Only safe when the caller
     *                           can replay such writes after a crash until {@code sync} returned —
     *                           the write-back cache does: its WAL keeps them until then. Writes
     *                           that merge with old content are always forced first.
     */
    public FsBlockStore(Path root, boolean deferReplacingSync) {
        this.root = root;
        this.deferReplacingSync = deferReplacingSync;
        this.trash = root.resolve(".trash");
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        try {
            io.dittofs.storage.PrivateFiles.createDirectories(trash);
            emptyTrash();
            used.set(measure());
        } catch (IOException e) {
            throw new FsException(FsError.IO, "cannot open block store at " + root + ": " + e.getMessage(), e);
        }
    }

    private Path fileDir(long id) {
        return root.resolve(String.format("%02x", id & 0xFF)).resolve(Long.toString(id));
    }

    private static Path block(Path dir, long index) {
        return dir.resolve(Long.toString(index));
    }

    private ReentrantLock stripe(long id, long block) {
        return stripes[(int) Math.floorMod(id * 31 + block, STRIPES)];
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        checkOpen();
        dst.fill((byte) 0);
        Path dir = fileDir(contentId);
        long len = readableLength(offset, dst.byteSize()); // nothing lies at or past 2^63 - 1: zeros
        long done = 0;
        while (done < len) {
            long pos = offset + done;
            long index = pos / BLOCK_SIZE;
            int inBlock = (int) (pos % BLOCK_SIZE);
            int n = (int) Math.min(len - done, BLOCK_SIZE - inBlock);
            try (FileChannel ch = FileChannel.open(block(dir, index), StandardOpenOption.READ)) {
                ByteBuffer b = dst.asSlice(done, n).asByteBuffer();
                long p = inBlock;
                while (b.hasRemaining()) {
                    int r = ch.read(b, p);
                    if (r < 0) {
                        break; // short block: the rest stays zero
                    }
                    p += r;
                }
            } catch (NoSuchFileException e) {
                // hole: zeros
            } catch (IOException e) {
                throw io("read", contentId, e);
            }
            done += n;
        }
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        checkOpen();
        Path dir = fileDir(contentId);
        long len = src.byteSize();
        checkRange(offset, len);
        long done = 0;
        try {
            io.dittofs.storage.PrivateFiles.createDirectories(dir);
            while (done < len) {
                long pos = offset + done;
                long index = pos / BLOCK_SIZE;
                int inBlock = (int) (pos % BLOCK_SIZE);
                int n = (int) Math.min(len - done, BLOCK_SIZE - inBlock);
                writeBlock(contentId, dir, index, inBlock, src.asSlice(done, n));
                done += n;
            }
        } catch (IOException e) {
            throw io("write", contentId, e);
        }
        unsyncedDirs.put(contentId, Boolean.TRUE);
    }

    /** Read-modify-write of one block into a temp file, then an atomic rename over the block. */
    private void writeBlock(long id, Path dir, long index, int at, MemorySegment data) throws IOException {
        ReentrantLock lock = stripe(id, index);
        lock.lock();
        try {
            Path target = block(dir, index);
            long oldSize = sizeOrZero(target);
            int newSize = (int) Math.max(oldSize, at + data.byteSize());
            boolean replacesAll = at == 0 && data.byteSize() >= oldSize;
            boolean defer = deferReplacingSync && replacesAll;
            if (replacesAll) {
                replace(dir, target, data, !defer); // the new block is exactly the caller's data: no copy
            } else {
                // read-modify-write in a pooled buffer (no per-write allocation and zeroing)
                try (Lease lease = pool.acquire(newSize)) {
                    MemorySegment buf = lease.segment();
                    if (at > oldSize) {
                        buf.asSlice(oldSize, at - oldSize).fill((byte) 0);
                    }
                    if (oldSize > 0) {
                        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
                            readFully(ch, buf.asSlice(0, oldSize).asByteBuffer());
                        }
                    }
                    MemorySegment.copy(data, 0, buf, at, data.byteSize());
                    replace(dir, target, buf, true);
                }
            }
            if (defer) {
                unsyncedBlocks.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(index);
            }
            used.addAndGet(newSize - oldSize);
        } finally {
            lock.unlock();
        }
    }

    private static void replace(Path dir, Path target, MemorySegment content) throws IOException {
        replace(dir, target, content, true);
    }

    private static void replace(Path dir, Path target, MemorySegment content, boolean force) throws IOException {
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = io.dittofs.storage.PrivateFiles.open(tmp, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))) {
            ByteBuffer b = content.asByteBuffer();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (force) {
                ch.force(false);
            }
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the block directory's file system cannot rename atomically", e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b) throws IOException {
        long p = 0;
        while (b.hasRemaining()) {
            int r = ch.read(b, p);
            if (r < 0) {
                break;
            }
            p += r;
        }
    }

    private static long sizeOrZero(Path p) throws IOException {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    @Override
    public void truncate(long contentId, long size) {
        checkOpen();
        checkRange(size, 0);
        Path dir = fileDir(contentId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        // blocks holding bytes below size, rounded up without overflow (size may be 2^63 - 1)
        long keepBlocks = size / BLOCK_SIZE + (size % BLOCK_SIZE == 0 ? 0 : 1);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    continue;
                }
                long index = Long.parseLong(name);
                ReentrantLock lock = stripe(contentId, index);
                lock.lock();
                try {
                    long old = sizeOrZero(p);
                    if (index >= keepBlocks) {
                        Files.deleteIfExists(p);
                        used.addAndGet(-old);
                    } else if (index == keepBlocks - 1 && size % BLOCK_SIZE != 0 && old > size % BLOCK_SIZE) {
                        int keep = (int) (size % BLOCK_SIZE);
                        try (Arena arena = Arena.ofConfined();
                             FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                            MemorySegment buf = arena.allocate(keep);
                            readFully(ch, buf.asByteBuffer());
                            replace(dir, p, buf);
                        }
                        used.addAndGet(keep - old);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw io("truncate", contentId, e instanceof IOException io ? io : new IOException(e));
        }
        unsyncedDirs.put(contentId, Boolean.TRUE);
    }

    @Override
    public void delete(long contentId) {
        checkOpen();
        Path dir = fileDir(contentId);
        Path gone = trash.resolve(contentId + "." + System.nanoTime());
        try {
            Files.move(dir, gone, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw io("delete", contentId, e);
        }
        used.addAndGet(-removeTree(gone));
        unsyncedDirs.remove(contentId);
        unsyncedBlocks.remove(contentId);
        unsyncedDeletes.add(contentId); // the rename out of the bucket is durable at the next sync
    }

    @Override
    public void sync(long contentId) {
        checkOpen();
        java.util.Set<Long> blocks = unsyncedBlocks.remove(contentId);
        Path dir = fileDir(contentId);
        try {
            if (unsyncedDeletes.remove(contentId)) {
                // the write-back cache recycles the WAL segment holding the DELETE after this
                // returns: the directory entry must be gone for good, not just in the page cache
                forceDir(dir.getParent());
            }
            if (blocks != null) {
                for (long index : blocks) {
                    try (FileChannel ch = FileChannel.open(block(dir, index), StandardOpenOption.WRITE)) {
                        ch.force(false);
                    } catch (NoSuchFileException e) {
                        // truncated or deleted meanwhile
                    }
                }
            }
            if (unsyncedDirs.remove(contentId) != null || blocks != null) {
                forceDir(dir);
                forceDir(dir.getParent());
                int bucket = (int) (contentId & 0xFF);
                if (!durableBuckets.contains(bucket)) { // a new bucket directory must reach the root too
                    forceDir(root);
                    durableBuckets.add(bucket);
                }
            }
        } catch (NoSuchFileException e) {
            // deleted meanwhile
        } catch (IOException e) {
            throw io("sync", contentId, e);
        }
    }

    private static void forceDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public long usedBytes() {
        return used.get();
    }

    /**
     * What the store can hold: its blocks plus the space still usable on the file system under
     * it (space other files took is not ours to count), so FSSTAT's free figure is that space.
     */
    @Override
    public long capacityBytes() {
        long free = freeBytes();
        if (free < 0) {
            return -1;
        }
        long u = Math.max(0, used.get());
        return free > Long.MAX_VALUE - u ? Long.MAX_VALUE : u + free;
    }

    /**
     * {@value Long#MAX_VALUE}: a byte at offset {@code p} lives in block {@code p / BLOCK_SIZE}, a
     * {@code long} named in decimal, so every offset below 2^63 - 1 has a block; each block file is
     * at most {@link #BLOCK_SIZE} bytes, far below any local file system's own file size limit.
     */
    @Override
    public long maxFileSize() {
        return Long.MAX_VALUE;
    }

    /** Free space of the file system holding the blocks. */
    public long freeBytes() {
        try {
            return Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public String kind() {
        return "fs";
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
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

    /** How much of a read of {@code len} bytes at {@code offset} can hit content (the rest reads zeros). */
    private static long readableLength(long offset, long len) {
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset " + offset);
        }
        return Math.min(len, Long.MAX_VALUE - offset);
    }

    private long measure() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private void emptyTrash() throws IOException {
        try (Stream<Path> s = Files.list(trash)) {
            for (Path p : s.toList()) {
                removeTree(p);
            }
        }
    }

    /** Deletes a tree; returns the bytes of regular files removed. */
    private static long removeTree(Path top) {
        long[] bytes = {0};
        try (Stream<Path> s = Files.walk(top)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    if (Files.isRegularFile(p)) {
                        bytes[0] += Files.size(p);
                    }
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    // a concurrent writer recreated something; left for the next start's trash sweep
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // left in the trash; removed on the next start
        }
        return bytes[0];
    }

    private static FsException io(String op, long id, IOException e) {
        return new FsException(FsError.IO, op + " of content " + id + ": " + e.getMessage(), e);
    }
}
