package io.dittofs.protocols.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The acceptor of the RPC and SMB servers: accepts until the listener is closed, refuses
 * connections beyond the limit, and runs each connection on its own reader thread (tracked in
 * {@code readers} until it ends, so that close can join them). Runs on the one acceptor thread
 * of a server.
 *
 * <p>The reader is a <em>platform</em> thread, the one deliberate exception to STYLE.md section 6
 * (calls still run on virtual threads): a virtual thread's blocking socket read goes through the
 * JDK's poller (a read that finds nothing, {@code epoll_ctl} to re-arm, the poller thread's
 * {@code epoll_wait} and the wake-up hand-off), which at one call in flight per connection is
 * most of a call's system calls; a platform thread blocks in one {@code read}. Measured with
 * {@code perf stat} at 1 connection x 1 call in flight: see docs/nfs.md (issue 9.4).
 * A connection costs one platform thread (its stack is reserved, committed as used), bounded by
 * the server's connection limit.
 */
public final class AcceptLoop {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptLoop.class);

    /** Sets up a protocol connection on an accepted channel and returns what its reader runs. */
    @FunctionalInterface
    public interface Opener {
        Runnable open(SocketChannel ch) throws IOException;
    }

    private AcceptLoop() {
    }

    /**
     * @param open    connections open now
     * @param refused called for each connection refused at the limit
     */
    public static void run(String name, ServerSocketChannel listener, BooleanSupplier stopping, IntSupplier open,
                           int maxConnections, Runnable refused, Opener opener, Set<Thread> readers) {
        while (!stopping.getAsBoolean()) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!stopping.getAsBoolean()) {
                    LOG.warn("{}: accept failed: {}", name, e.toString());
                    ServerShutdown.sleepQuietly(10);
                }
                continue;
            }
            try {
                if (open.getAsInt() >= maxConnections) {
                    LOG.warn("{}: refusing connection from {}: {} connections open", name, ch.getRemoteAddress(),
                            open.getAsInt());
                    ch.close();
                    refused.run();
                    continue;
                }
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                Runnable body = opener.open(ch);
                Thread reader = Thread.ofPlatform().name(name + "-conn").daemon(true).unstarted(() -> {
                    try {
                        body.run();
                    } finally {
                        readers.remove(Thread.currentThread());
                    }
                });
                readers.add(reader);
                reader.start();
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: setting up a connection failed: {}", name, e.toString());
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }
}
