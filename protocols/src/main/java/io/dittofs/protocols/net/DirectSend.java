package io.dittofs.protocols.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Replies written with {@code send(2)} and {@code MSG_DONTWAIT} on a duplicate of a connection's
 * socket descriptor, so the socket stays in blocking mode. A virtual thread that writes through a
 * {@link SocketChannel} switches its socket to non-blocking mode for good (so that it can park
 * instead of blocking its carrier), and from then on the connection's platform reader (see
 * {@link AcceptLoop}) reads each call with a {@code read} that finds nothing, a {@code poll} and a
 * second {@code read}, instead of one blocking {@code read}. {@code MSG_DONTWAIT} makes only this
 * one send non-blocking: what the socket does not take at once (its send buffer is full: the client
 * does not read) the caller writes through the channel as before, which then waits properly.
 *
 * <p>The duplicate descriptor is this object's own: a concurrent close of the channel cannot hand
 * its number to another socket while a send uses it. {@link #close()} must come before the
 * channel's close, since the connection ends only when both descriptors are closed.
 *
 * <p>Linux only, and only with {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (the
 * launcher's flags) to learn the channel's descriptor; otherwise {@link #of} is empty and the
 * channel is used alone. Thread-safe; a send is one short native call.
 */
public final class DirectSend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectSend.class);
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_MORE = 0x8000;
    private static final MethodHandle SEND;
    private static final MethodHandle DUP;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FD_VAL;

    static {
        MethodHandle send = null;
        MethodHandle dup = null;
        MethodHandle close = null;
        MethodHandle fdVal = null;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            try {
                Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
                fdVal = MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class));
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                send = linker.downcallHandle(lookup.find("send").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT));
                dup = linker.downcallHandle(lookup.find("dup").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                close = linker.downcallHandle(lookup.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            } catch (ReflectiveOperationException | RuntimeException | IllegalAccessError e) {
                LOG.debug("replies go through the socket channel only: {}", e.toString());
                send = null;
            }
        }
        SEND = send;
        DUP = dup;
        CLOSE = close;
        FD_VAL = fdVal;
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** The duplicate descriptor, -1 once closed. */
    private int fd;

    private DirectSend(int fd) {
        this.fd = fd;
    }

    /** A sender on a duplicate of {@code ch}'s descriptor, or empty where that is not available. */
    public static Optional<DirectSend> of(SocketChannel ch) {
        if (SEND == null) {
            return Optional.empty();
        }
        try {
            int dupFd = (int) DUP.invokeExact((int) FD_VAL.invoke(ch));
            return dupFd < 0 ? Optional.empty() : Optional.of(new DirectSend(dupFd));
        } catch (Throwable e) {
            LOG.debug("replies go through the socket channel only: {}", e.toString());
            return Optional.empty();
        }
    }

    /**
     * Sends what the socket takes at once of {@code b}'s remaining bytes (a direct buffer) and
     * advances its position; returns the count, 0 when the socket would block, on any error (the
     * channel then reports it) or after close.
     */
    public int send(ByteBuffer b) {
        return send(b, false);
    }

    /**
     * Like {@link #send(ByteBuffer)}; with {@code more}, the kernel holds the bytes back for the
     * next send ({@code MSG_MORE}), so a record's header and body leave in one segment.
     */
    public int send(ByteBuffer b, boolean more) {
        if (!b.isDirect() || !b.hasRemaining()) {
            return 0;
        }
        MemorySegment seg = MemorySegment.ofBuffer(b);
        lock.lock();
        try {
            if (fd < 0) {
                return 0;
            }
            long n = (long) SEND.invokeExact(fd, seg, seg.byteSize(),
                    MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0));
            if (n <= 0) {
                return 0;
            }
            b.position(b.position() + (int) n);
            return (int) n;
        } catch (Throwable e) {
            throw new IllegalStateException("send(2)", e);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the duplicate descriptor (waiting for a send in progress, which never blocks). */
    @Override
    public void close() {
        lock.lock();
        try {
            if (fd >= 0) {
                int rc = (int) CLOSE.invokeExact(fd);
                if (rc != 0) {
                    LOG.debug("close of a duplicate socket descriptor failed");
                }
                fd = -1;
            }
        } catch (Throwable e) {
            throw new IllegalStateException("close(2)", e);
        } finally {
            lock.unlock();
        }
    }
}
