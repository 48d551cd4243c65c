package io.dittofs.bench.load;

import io.dittofs.protocols.xdr.BadXdrException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection carrying ONC RPC records (RFC 5531 section 11) for a fixed number of slots: a
 * slot has at most one call in flight, and its xid carries the slot number, so the reader thread (one
 * virtual thread) reads each reply straight into the calling slot's receive buffer and wakes it. A
 * caller blocks in {@link #call} (a virtual thread per slot). Records larger than a slot's buffer
 * fail the connection before anything is read into it. Thread-safe for calls on distinct slots.
 */
final class Nfs41Transport implements AutoCloseable {
    private static final int SLOT_BITS = 16;
    private static final byte[] PAD = new byte[4];
    private static final int CALL_BUFFER = 64 * 1024;

    private final SocketChannel ch;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Arena arena = Arena.ofShared();
    private final Slot[] slots;
    private final Thread reader;
    private final long timeoutNanos;
    private volatile Throwable failure;

    /** A slot's reusable call encoder, reply buffer and completion signal. */
    private static final class Slot {
        final Nfs41CallBuffer enc;
        final MemorySegment recvSeg;
        final ByteBuffer recv;
        final Semaphore done = new Semaphore(0);
        volatile int xid;
        int gen;
        int length;

        Slot(Nfs41CallBuffer enc, MemorySegment recvSeg) {
            this.enc = enc;
            this.recvSeg = recvSeg;
            this.recv = recvSeg.asByteBuffer();
        }
    }

    Nfs41Transport(String host, int port, int slotCount, int maxReply, int timeoutMillis) {
        if (slotCount < 1 || slotCount > (1 << SLOT_BITS)) {
            throw new IllegalArgumentException("slots " + slotCount);
        }
        try {
            ch = SocketChannel.open(new InetSocketAddress(host, port));
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + host + ":" + port, e);
        }
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot(new Nfs41CallBuffer(arena.allocate(CALL_BUFFER, 8)), arena.allocate(maxReply, 4096));
        }
        this.reader = Thread.ofVirtual().name("nfs41-reader-" + port).start(this::readLoop);
    }

    int slots() {
        return slots.length;
    }

    /** The compound builder of {@code slot}, started with a fresh xid, for {@link #call}. */
    Nfs41Compound compound(int slot) {
        return new Nfs41Compound(slots[slot].enc).compound(nextXid(slot));
    }

    /** The NULL call's builder. */
    Nfs41Compound nullCall(int slot) {
        return new Nfs41Compound(slots[slot].enc).nullCall(nextXid(slot));
    }

    private int nextXid(int slot) {
        Slot s = slots[slot];
        s.gen = s.gen % 0x7FFF + 1; // 1..0x7FFF: xid 0 means "none in flight"
        s.xid = (s.gen << SLOT_BITS) | slot;
        return s.xid;
    }

    /**
     * Sends the call built for {@code slot} (finished, with {@code data} after it when not null: WRITE's
     * bytes, padded) and waits for its reply; returns the reply record (valid until the slot's next call).
     */
    MemorySegment call(int slot, Nfs41Compound built, MemorySegment data) {
        Slot s = slots[slot];
        int dataLen = data == null ? 0 : (int) data.byteSize();
        int pad = (4 - (dataLen & 3)) & 3;
        MemorySegment head = built.finish(dataLen + pad);
        ByteBuffer[] out = data == null ? new ByteBuffer[] {head.asByteBuffer()}
                : new ByteBuffer[] {head.asByteBuffer(), data.asByteBuffer(), ByteBuffer.wrap(PAD, 0, pad)};
        checkFailure();
        sendLock.lock();
        try {
            long left = head.byteSize() + dataLen + pad;
            while (left > 0) {
                left -= ch.write(out);
            }
        } catch (IOException e) {
            fail(e);
            throw new UncheckedIOException("send", e);
        } finally {
            sendLock.unlock();
        }
        try {
            if (!s.done.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
                checkFailure();
                throw new IllegalStateException("no reply in " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        checkFailure();
        return s.recvSeg.asSlice(0, s.length);
    }

    private void checkFailure() {
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("connection failed: " + f, f);
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        for (Slot s : slots) {
            s.done.release();
        }
    }

    private void readLoop() {
        ByteBuffer head = ByteBuffer.allocate(8);
        try {
            while (true) {
                head.clear().limit(4);
                readFully(head);
                int mark = head.getInt(0);
                int len = mark & 0x7FFF_FFFF;
                if (len < 4) {
                    throw new BadXdrException("record of " + len + " bytes");
                }
                head.limit(8);
                readFully(head);
                int xid = head.getInt(4);
                int slot = xid & ((1 << SLOT_BITS) - 1);
                Slot s = slot < slots.length ? slots[slot] : null;
                if (s == null || s.xid != xid) {
                    throw new BadXdrException("reply to unknown xid " + xid);
                }
                if (len > s.recv.capacity()) {
                    throw new BadXdrException("reply of " + len + " bytes over the " + s.recv.capacity() + "-byte buffer");
                }
                ByteBuffer b = s.recv.clear();
                b.putInt(xid).limit(len);
                readFully(b);
                int total = len;
                while (mark >= 0) { // not the last fragment
                    head.clear().limit(4);
                    readFully(head);
                    mark = head.getInt(0);
                    int more = mark & 0x7FFF_FFFF;
                    if ((long) total + more > b.capacity()) {
                        throw new BadXdrException("record over the " + b.capacity() + "-byte buffer");
                    }
                    total += more;
                    b.limit(total);
                    readFully(b);
                }
                s.length = total;
                s.xid = 0;
                s.done.release();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("connection closed by the server");
            }
        }
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // closing
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        arena.close();
    }
}
