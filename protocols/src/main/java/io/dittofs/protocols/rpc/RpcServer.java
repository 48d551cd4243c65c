package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.net.AcceptLoop;
import io.dittofs.protocols.net.ServerShutdown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP ONC RPC server on blocking NIO channels: an acceptor thread, one platform reader thread
 * per connection, one virtual thread per call (the design card; a call that is its connection's
 * only one runs on the reader thread itself, see {@link RpcConnection}). Bounded: at most
 * {@code maxConnections} connections, {@code maxInFlight} calls per connection, records of at
 * most {@code maxRecordSize} bytes, a budget of pooled buffers per connection (so no client can
 * starve the others of the shared 1 MiB buffers), and a record that does not complete within the
 * stall timeout, or a reply the client does not take within the send timeout, closes its
 * connection (slowloris, clients that stop reading). While threads wait for pooled buffers,
 * connections that hold some and have moved no byte for the eviction grace are closed sooner, so
 * many connections that each keep to their budget cannot pin the pool either.
 *
 * <p>{@link #close()} stops accepting, stops reading, lets in-flight calls finish and reply
 * (up to the drain timeout), then closes every connection. Thread-safe.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);
    private static final int[] SIZE_CLASSES = {BufferPool.SMALL, BufferPool.MEDIUM, BufferPool.LARGE};

    /**
     * Tunables; {@link #defaults()} gives production values.
     *
     * @param largeBuffersPerConnection how many 1 MiB buffers one connection may hold at once
     *                                  (records being received, replies not yet sent); it may hold
     *                                  eight times as many 64 KiB ones
     * @param sendTimeoutMillis         how long one reply may take to be written before the
     *                                  connection is closed (a client that stopped reading)
     * @param evictGraceMillis          while others wait for pooled buffers, a connection that holds
     *                                  some and has moved no byte for this long while waiting for its
     *                                  client (unread replies, an unfinished record) is closed
     */
    public record Options(int backlog, int maxConnections, int maxInFlightPerConnection, int maxRecordSize,
                          long stallTimeoutMillis, long drainTimeoutMillis, int largeBuffersPerConnection,
                          long sendTimeoutMillis, long evictGraceMillis) {
        public static Options defaults() {
            return new Options(1024, 4096, 128, 1024 * 1024 + 64 * 1024, 30_000, 10_000, 4, 30_000, 2_000);
        }

        public Options withStallTimeoutMillis(long ms) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, ms, drainTimeoutMillis,
                    largeBuffersPerConnection, sendTimeoutMillis, evictGraceMillis);
        }

        public Options withDrainTimeoutMillis(long ms) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, stallTimeoutMillis, ms,
                    largeBuffersPerConnection, sendTimeoutMillis, evictGraceMillis);
        }

        public Options withSendTimeoutMillis(long ms) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, stallTimeoutMillis,
                    drainTimeoutMillis, largeBuffersPerConnection, ms, evictGraceMillis);
        }

        public Options withLargeBuffersPerConnection(int n) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, stallTimeoutMillis,
                    drainTimeoutMillis, n, sendTimeoutMillis, evictGraceMillis);
        }

        public Options withEvictGraceMillis(long ms) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, stallTimeoutMillis,
                    drainTimeoutMillis, largeBuffersPerConnection, sendTimeoutMillis, ms);
        }
    }

    private final String name;
    private final RpcDispatcher dispatcher;
    private final RpcObserver observer;
    private final Options options;
    private final ServerSocketChannel listener;
    private final Set<RpcConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
    private final ServerShutdown shutdown = new ServerShutdown();
    private final LongAdder tailSent = new LongAdder();
    private final LongAdder tailCopied = new LongAdder();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean stopping;

    private RpcServer(String name, RpcDispatcher dispatcher, Options options, ServerSocketChannel listener) {
        this.name = name;
        this.dispatcher = dispatcher;
        this.observer = dispatcher.observer();
        this.options = options;
        this.listener = listener;
        this.acceptor = Thread.ofPlatform().name(name + "-accept").daemon(true).unstarted(this::acceptLoop);
        this.watchdog = Thread.ofVirtual().name(name + "-watchdog").unstarted(this::watchLoop);
    }

    /** Binds and starts serving. */
    public static RpcServer start(String name, InetSocketAddress bind, RpcDispatcher dispatcher, Options options)
            throws IOException {
        ServerSocketChannel ssc = ServerSocketChannel.open();
        try {
            ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ssc.bind(bind, options.backlog());
        } catch (IOException e) {
            ssc.close();
            throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
        }
        RpcServer s = new RpcServer(name, dispatcher, options, ssc);
        s.acceptor.start();
        s.watchdog.start();
        return s;
    }

    public int port() {
        try {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    RpcDispatcher dispatcher() {
        return dispatcher;
    }

    int maxRecordSize() {
        return options.maxRecordSize();
    }

    int maxInFlightPerConnection() {
        return options.maxInFlightPerConnection();
    }

    long drainTimeoutMillis() {
        return options.drainTimeoutMillis();
    }

    public int connectionCount() {
        return connections.size();
    }

    private void acceptLoop() {
        AcceptLoop.run(name, listener, () -> stopping, connections::size, options.maxConnections(),
                () -> observer.connectionRefused(name), this::open, readers);
    }

    private Runnable open(SocketChannel ch) throws IOException {
        InetSocketAddress peer = (InetSocketAddress) ch.getRemoteAddress();
        RpcConnection c = new RpcConnection(this, ch, peer, options.maxInFlightPerConnection(),
                options.largeBuffersPerConnection());
        connections.add(c);
        observer.connectionOpened(name, peer);
        return c::run;
    }

    private void watchLoop() {
        long stall = TimeUnit.MILLISECONDS.toNanos(options.stallTimeoutMillis());
        long send = TimeUnit.MILLISECONDS.toNanos(options.sendTimeoutMillis());
        long grace = TimeUnit.MILLISECONDS.toNanos(options.evictGraceMillis());
        long shortest = Math.min(options.evictGraceMillis(),
                Math.min(options.stallTimeoutMillis(), options.sendTimeoutMillis()));
        while (!stopping) {
            ServerShutdown.sleepQuietly(Math.min(1000, Math.max(50, shortest / 4)));
            long now = System.nanoTime();
            for (RpcConnection c : connections) {
                c.closeIfStalled(now, stall, send);
            }
            evictStuck(now, grace);
        }
    }

    /**
     * While threads wait for pooled buffers, closes connections that hold buffers of the classes
     * waited for and have moved no byte for {@code grace} while waiting for their clients, the
     * longest-stuck first, until the buffers they hold cover the waiters of each class. A connection
     * that is making progress, or holds nothing anyone waits for, is never closed.
     */
    private void evictStuck(long now, long grace) {
        BufferPool pool = dispatcher.pool();
        int[] wanted = new int[SIZE_CLASSES.length];
        int total = 0;
        for (int i = 0; i < SIZE_CLASSES.length; i++) {
            wanted[i] = pool.waiters(SIZE_CLASSES[i]);
            total += wanted[i];
        }
        if (total == 0) {
            return;
        }
        record Stuck(RpcConnection c, long nanos) {
        }
        List<Stuck> stuck = new ArrayList<>();
        for (RpcConnection c : connections) {
            long n = c.stuckNanos(now);
            if (n > grace) {
                stuck.add(new Stuck(c, n));
            }
        }
        stuck.sort(Comparator.comparingLong(Stuck::nanos).reversed());
        for (Stuck s : stuck) {
            boolean useful = false;
            boolean more = false;
            for (int i = 0; i < SIZE_CLASSES.length; i++) {
                useful |= wanted[i] > 0 && s.c().buffersHeld(SIZE_CLASSES[i]) > 0;
            }
            if (useful) {
                for (int i = 0; i < SIZE_CLASSES.length; i++) {
                    wanted[i] -= s.c().buffersHeld(SIZE_CLASSES[i]);
                }
                s.c().evict(s.nanos());
            }
            for (int w : wanted) {
                more |= w > 0;
            }
            if (!more) {
                break;
            }
        }
    }

    /** Counts a call in (calls that start while draining are still let finish). */
    void callStarted() {
        shutdown.started();
        observer.callStarted();
    }

    void callFinished() {
        observer.callFinished();
        shutdown.finished(stopping);
    }

    void connectionClosed(RpcConnection c) {
        if (connections.remove(c)) {
            observer.connectionClosed(name, c.peer());
        }
    }

    /** Bytes of READ data sent from files to sockets without a user-space copy ({@code sendfile}). */
    public long tailBytesSent() {
        return tailSent.sum();
    }

    /** Bytes of READ data regions copied through a buffer instead (socket full, or the file cut meanwhile). */
    public long tailBytesCopied() {
        return tailCopied.sum();
    }

    void tailSent(long n) {
        tailSent.add(n);
    }

    void tailCopied(long n) {
        tailCopied.add(n);
    }

    public int callsInFlight() {
        return shutdown.inFlight();
    }

    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        ServerShutdown.closeListener(listener, acceptor);
        for (RpcConnection c : connections) {
            c.shutdownInput();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
        int running = shutdown.awaitDrained(deadline);
        if (running > 0) {
            LOG.warn("{}: {} calls still running after the drain timeout", name, running);
        }
        for (RpcConnection c : connections) {
            c.close();
        }
        ServerShutdown.joinReaders(readers, deadline);
        watchdog.interrupt();
        LOG.info("{}: stopped", name);
    }
}
