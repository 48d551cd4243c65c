package io.dittofs.protocols.rpc;

import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The {@link BackChannel} of one connection: encodes CALL records (RFC 5531 section 9), sends them
 * through the connection's writer (same lock and send timeout as replies), and matches the REPLY
 * records its reader hands over ({@link #deliver}) to the waiting callers by xid. At most
 * {@value #MAX_PENDING} calls wait at once and replies are capped at {@value #MAX_REPLY} bytes, so a
 * client cannot make the server hold much for it; a reply nobody waits for is dropped.
 *
 * <p>Thread-safe.
 */
final class CallChannel implements BackChannel {
    private static final Logger LOG = LoggerFactory.getLogger(CallChannel.class);
    static final int MAX_PENDING = 16;
    static final int MAX_REPLY = 64 * 1024;
    private static final byte[] MACHINE = "dittofs".getBytes(StandardCharsets.US_ASCII);

    private static final class Pending {
        final CountDownLatch done = new CountDownLatch(1);
        volatile byte[] reply;
    }

    private final Consumer<ByteBuffer> sender;
    private final Runnable onFailure;
    private final AtomicInteger xids = new AtomicInteger(ThreadLocalRandom.current().nextInt());
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param sender    writes one whole record (record mark included) to the connection; throws
     *                  {@link java.io.UncheckedIOException} when it cannot
     * @param onFailure called when a send fails (the connection is then closed)
     */
    CallChannel(Consumer<ByteBuffer> sender, Runnable onFailure) {
        this.sender = sender;
        this.onFailure = onFailure;
    }

    /** Whether a record is an RPC REPLY (msg_type 1 after the xid). */
    static boolean isReply(MemorySegment record) {
        return record.byteSize() >= 8
                && record.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4) == Rpc.REPLY;
    }

    @Override
    public byte[] call(int program, int version, int proc, byte[] args, Duration timeout) throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        if (pending.size() >= MAX_PENDING) {
            throw new IOException("too many calls in flight on the back channel");
        }
        int xid = xids.incrementAndGet();
        Pending p = new Pending();
        pending.put(xid, p);
        try {
            try {
                sender.accept(encode(xid, program, version, proc, args));
            } catch (java.io.UncheckedIOException e) {
                onFailure.run();
                throw e.getCause();
            }
            if (!p.done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("no reply to callback " + program + "/" + proc + " within " + timeout);
            }
            byte[] r = p.reply;
            if (r == null) {
                throw new IOException("connection closed before the callback's reply");
            }
            return results(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for a callback reply", e);
        } finally {
            pending.remove(xid);
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** A REPLY record arrived: hands a copy to the caller waiting for its xid (the caller closes the record). */
    void deliver(MemorySegment record) {
        int xid = record.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0);
        Pending p = pending.get(xid);
        if (p == null || record.byteSize() > MAX_REPLY) {
            LOG.debug("reply xid {} ({} bytes) matches no call waiting: dropped", xid, record.byteSize());
            return;
        }
        p.reply = record.toArray(ValueLayout.JAVA_BYTE);
        p.done.countDown();
    }

    /** The connection is gone: waiting callers fail now. */
    void close() {
        closed = true;
        for (Pending p : pending.values()) {
            p.done.countDown();
        }
    }

    /** The record of one CALL: mark, call_body with AUTH_SYS (uid 0, gid 0) and AUTH_NONE verifier, args. */
    static ByteBuffer encode(int xid, int program, int version, int proc, byte[] args) {
        int pad = -MACHINE.length & 3;
        int cred = 4 + 4 + MACHINE.length + pad + 4 + 4 + 4; // stamp, machine, uid, gid, gids<0>
        int len = 6 * 4 + 8 + cred + 8 + args.length;
        ByteBuffer b = ByteBuffer.allocate(4 + len);
        b.putInt(0x8000_0000 | len).putInt(xid).putInt(Rpc.CALL).putInt(Rpc.VERSION).putInt(program)
                .putInt(version).putInt(proc);
        b.putInt(Rpc.AUTH_SYS).putInt(cred).putInt(0).putInt(MACHINE.length).put(MACHINE).put(new byte[pad]).putInt(0)
                .putInt(0).putInt(0);
        b.putInt(Rpc.AUTH_NONE).putInt(0);
        b.put(args);
        return b.flip();
    }

    /** The results of an accepted, successful reply. */
    static byte[] results(byte[] reply) throws IOException {
        try {
            XdrDecoder d = new XdrDecoder(MemorySegment.ofArray(reply));
            d.readInt();
            d.readInt();
            int stat = d.readInt();
            if (stat != Rpc.MSG_ACCEPTED) {
                throw new IOException("callback denied (reply_stat " + stat + ")");
            }
            d.readInt();
            d.readOpaque(Rpc.MAX_AUTH_BYTES);
            int accept = d.readInt();
            if (accept != Rpc.SUCCESS) {
                throw new IOException("callback not accepted (accept_stat " + accept + ")");
            }
            return java.util.Arrays.copyOfRange(reply, (int) d.position(), reply.length);
        } catch (BadXdrException e) {
            throw new IOException("unreadable callback reply: " + e.getMessage(), e);
        }
    }
}
