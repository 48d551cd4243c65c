package io.dittofs.e2e;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An open libnfs file ({@code struct nfsfh *}) of one {@link LibNfs} context. Reads and writes go
 * through off-heap {@link MemorySegment}s. Not thread-safe, like its context.
 */
final class NfsFile implements AutoCloseable {

    private final LibNfs nfs;
    private final String path;
    private MemorySegment fh;

    NfsFile(LibNfs nfs, String path, MemorySegment fh) {
        this.nfs = nfs;
        this.path = path;
        this.fh = fh;
    }

    /**
     * One {@code nfs_pread}: reads up to {@code buf.byteSize()} bytes at {@code offset}.
     *
     * @return the bytes read, 0 at end of file
     */
    int pread(long offset, MemorySegment buf) {
        try {
            int rc = (int) nfs.natives().pread.invokeExact(nfs.context(), handle(), offset, buf.byteSize(), buf);
            nfs.check(rc, "nfs_pread", path + "@" + offset);
            return rc;
        } catch (Throwable t) {
            throw LibNfs.rethrow(t);
        }
    }

    /** One {@code nfs_pwrite} of all of {@code buf} at {@code offset}; returns the bytes written. */
    int pwrite(long offset, MemorySegment buf) {
        try {
            int rc = (int) nfs.natives().pwrite.invokeExact(nfs.context(), handle(), offset, buf.byteSize(), buf);
            nfs.check(rc, "nfs_pwrite", path + "@" + offset);
            return rc;
        } catch (Throwable t) {
            throw LibNfs.rethrow(t);
        }
    }

    /** Writes all of {@code buf} at {@code offset}, repeating short writes. */
    void pwriteFully(long offset, MemorySegment buf) {
        long done = 0;
        while (done < buf.byteSize()) {
            int w = pwrite(offset + done, buf.asSlice(done));
            if (w == 0) {
                throw new IllegalStateException("nfs_pwrite wrote 0 bytes at " + (offset + done) + " of " + path);
            }
            done += w;
        }
    }

    /**
     * Reads until {@code buf} is full or end of file, repeating short reads.
     *
     * @return the bytes read
     */
    long preadFully(long offset, MemorySegment buf) {
        long done = 0;
        while (done < buf.byteSize()) {
            int r = pread(offset + done, buf.asSlice(done));
            if (r == 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    /** Reads {@code length} bytes at {@code offset} (fewer at end of file) into a heap array. */
    byte[] read(long offset, int length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(length);
            long got = preadFully(offset, buf);
            return buf.asSlice(0, got).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** Writes {@code data} at {@code offset}. */
    void write(long offset, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            pwriteFully(offset, buf.asSlice(0, data.length));
        }
    }

    void fsync() {
        try {
            int rc = (int) nfs.natives().fsync.invokeExact(nfs.context(), handle());
            nfs.check(rc, "nfs_fsync", path);
        } catch (Throwable t) {
            throw LibNfs.rethrow(t);
        }
    }

    void ftruncate(long length) {
        try {
            int rc = (int) nfs.natives().ftruncate.invokeExact(nfs.context(), handle(), length);
            nfs.check(rc, "nfs_ftruncate", path);
        } catch (Throwable t) {
            throw LibNfs.rethrow(t);
        }
    }

    NfsStat fstat() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(LibNfs.stat64Size(), 8);
            int rc = (int) nfs.natives().fstat64.invokeExact(nfs.context(), handle(), st);
            nfs.check(rc, "nfs_fstat64", path);
            return LibNfs.readStat(st);
        } catch (Throwable t) {
            throw LibNfs.rethrow(t);
        }
    }

    @Override
    public void close() {
        if (fh == null) {
            return;
        }
        MemorySegment h = fh;
        fh = null;
        try {
            int rc = (int) nfs.natives().close.invokeExact(nfs.context(), h);
            nfs.check(rc, "nfs_close", path);
        } catch (Throwable t) {
            throw LibNfs.rethrow(t);
        }
    }

    private MemorySegment handle() {
        if (fh == null) {
            throw new IllegalStateException(path + " is closed");
        }
        return fh;
    }
}
