package io.dittofs.core.spi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.WritableByteChannel;

/**
 * A range of a file's content that a {@link BlockStore} hands out to be sent to a socket without
 * passing through user space ({@code sendfile}, through {@link java.nio.channels.FileChannel#transferTo}),
 * used for the data part of READ replies. Positions are relative to the start of the range.
 *
 * <p>Content is read when it is sent, not when the region is made: a concurrent write may show
 * (as with any read racing a write), and a concurrent truncate makes the file end early, after
 * which {@link #transferTo} sends nothing and {@link #read} fills zeros (bytes never written, or
 * cut, read as zeros everywhere in this SPI). The sender therefore always completes the range
 * with {@link #read} once {@link #transferTo} makes no progress, which also covers a socket that
 * cannot take more right now (a non-blocking send returns 0; a blocking write of what
 * {@link #read} filled then waits for it).
 *
 * <p>Ownership: the region holds the store's file open until {@link #close()}; whoever gets it
 * from {@link BlockStore#region} closes it exactly once (further calls are no-ops). Not
 * thread-safe: one sender uses it.
 */
public interface ContentRegion extends AutoCloseable {

    /** Bytes in the range. */
    long length();

    /**
     * Sends bytes from {@code position} (at most {@code max}, not past {@link #length()}) to
     * {@code target} without a user-space copy; returns how many were sent, 0 if none could be
     * (the socket is full, or the file now ends before {@code position}).
     */
    long transferTo(long position, long max, WritableByteChannel target) throws IOException;

    /**
     * Copies the range's bytes at {@code position} into {@code dst} (its whole size, not past
     * {@link #length()}); bytes past the file's current end read as zeros.
     */
    void read(long position, MemorySegment dst) throws IOException;

    /** Releases the file; idempotent. */
    @Override
    void close();
}
