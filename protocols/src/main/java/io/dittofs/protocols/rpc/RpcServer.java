package io.dittofs.protocols.rpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP ONC RPC server on blocking NIO channels: an acceptor thread, one virtual reader thread
 * per connection, one virtual thread per call (the design card). Bounded: at most
 * {@code maxConnections} connections, {@code maxInFlight} calls per connection, records of at
 * most {@code maxRecordSize} bytes, a budget of pooled buffers per connection (so no client can
 * starve the others of the shared 1 MiB buffers), and a record that does not complete within the
 * stall timeout, or a reply the client does not take within the send timeout, closes its
 * connection (slowloris, clients that stop reading).
 *
 * <p>{@link #close()} stops accepting, stops reading, lets in-flight calls finish and reply
 * (up to the drain timeout), then closes every connection. Thread-safe.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);

    /**
     * Tunables; {@link #defaults()} gives production values.
     *
     * @param largeBuffersPerConnection how many 1 MiB buffers one connection may hold at once
     *                                  (records being received, replies not yet sent); it may hold
     *                                  eight times as many 64 KiB ones
     * @param sendTimeoutMillis         how long one reply may take to be written before the
     *                                  connection is closed (a client that stopped reading)
     */
    public record Options(int backlog, int maxConnections, int maxInFlightPerConnection, int maxRecordSize,
                          long stallTimeoutMillis, long drainTimeoutMillis, int largeBuffersPerConnection,
                          long sendTimeoutMillis) {
        public static Options defaults() {
            return new Options(1024, 4096, 128, 1024 * 1024 + 64 * 1024, 30_000, 10_000, 4, 30_000);
        }

        public Options withStallTimeoutMillis(long ms) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, ms, drainTimeoutMillis,
                    largeBuffersPerConnection, sendTimeoutMillis);
        }

        public Options withDrainTimeoutMillis(long ms) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, stallTimeoutMillis, ms,
                    largeBuffersPerConnection, sendTimeoutMillis);
        }

        public Options withSendTimeoutMillis(long ms) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, stallTimeoutMillis,
                    drainTimeoutMillis, largeBuffersPerConnection, ms);
        }

        public Options withLargeBuffersPerConnection(int n) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxRecordSize, stallTimeoutMillis,
                    drainTimeoutMillis, n, sendTimeoutMillis);
        }
    }

    private final String name;
    private final RpcDispatcher dispatcher;
    private final RpcObserver observer;
    private final Options options;
    private final ServerSocketChannel listener;
    private final Set<RpcConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition drained = drainLock.newCondition();
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
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!stopping) {
                    LOG.warn("{}: accept failed: {}", name, e.toString());
                    sleepQuietly(10);
                }
                continue;
            }
            try {
                if (connections.size() >= options.maxConnections()) {
                    LOG.warn("{}: refusing connection from {}: {} connections open", name,
                            ch.getRemoteAddress(), connections.size());
                    ch.close();
                    observer.connectionRefused(name);
                    continue;
                }
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                InetSocketAddress peer = (InetSocketAddress) ch.getRemoteAddress();
                RpcConnection c = new RpcConnection(this, ch, peer, options.maxInFlightPerConnection(),
                        options.largeBuffersPerConnection());
                connections.add(c);
                observer.connectionOpened(name, peer);
                Thread reader = Thread.ofVirtual().name(name + "-conn").unstarted(() -> {
                    try {
                        c.run();
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

    private void watchLoop() {
        long stall = TimeUnit.MILLISECONDS.toNanos(options.stallTimeoutMillis());
        long send = TimeUnit.MILLISECONDS.toNanos(options.sendTimeoutMillis());
        long shortest = Math.min(options.stallTimeoutMillis(), options.sendTimeoutMillis());
        while (!stopping) {
            sleepQuietly(Math.min(1000, Math.max(50, shortest / 4)));
            long now = System.nanoTime();
            for (RpcConnection c : connections) {
                c.closeIfStalled(now, stall, send);
            }
        }
    }

    /** Counts a call in (calls that start while draining are still let finish). */
    void callStarted() {
        inFlight.incrementAndGet();
        observer.callStarted();
    }

    void callFinished() {
        observer.callFinished();
        if (inFlight.decrementAndGet() == 0 && stopping) {
            drainLock.lock();
            try {
                drained.signalAll();
            } finally {
                drainLock.unlock();
            }
        }
    }

    void connectionClosed(RpcConnection c) {
        if (connections.remove(c)) {
            observer.connectionClosed(name, c.peer());
        }
    }

    public int callsInFlight() {
        return inFlight.get();
    }

    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (RpcConnection c : connections) {
            c.shutdownInput();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
        drainLock.lock();
        try {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("{}: {} calls still running after the drain timeout", name, inFlight.get());
                    break;
                }
                drained.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drainLock.unlock();
        }
        for (RpcConnection c : connections) {
            c.close();
        }
        // readers still inside a receive must be gone before the caller frees the buffer pool
        for (Thread t : readers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        watchdog.interrupt();
        LOG.info("{}: stopped", name);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
