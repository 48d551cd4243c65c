package io.dittofs.protocols.smb.server;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.handler.Handlers;
import io.dittofs.protocols.net.AcceptLoop;
import io.dittofs.protocols.net.ServerShutdown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The SMB2/3 server over direct TCP (MS-SMB2 2.1) on blocking NIO channels, on the same model as
 * the RPC server: an acceptor thread, one virtual reader thread per connection, one virtual
 * thread per message. Bounded: connections, messages in flight per connection, frame size,
 * compound length, credits, and a per-connection budget of pooled buffers; a frame that does not
 * complete within the stall timeout, a reply not taken within the send timeout or a connection
 * idle for the idle timeout closes the connection.
 *
 * <p>{@link #close()} stops accepting and reading, lets in-flight messages finish (up to the
 * drain timeout), then closes every connection. Thread-safe.
 */
public final class SmbServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SmbServer.class);

    /**
     * Tunables; {@link #defaults()} gives production values.
     *
     * @param maxFrame      largest direct-TCP frame accepted (bounded by the pool's largest buffer)
     * @param maxCredits    the most credits (MessageIds) a connection may hold
     * @param maxCompound   the most elements in one compound message
     * @param idleTimeoutMillis a connection with no traffic for this long is closed (0: never)
     */
    public record Options(int backlog, int maxConnections, int maxInFlightPerConnection, int maxFrame,
                          long stallTimeoutMillis, long idleTimeoutMillis, long drainTimeoutMillis,
                          int largeBuffersPerConnection, long sendTimeoutMillis, int maxCredits, int maxCompound) {
        public static Options defaults() {
            return new Options(1024, 4096, 64, BufferPool.HUGE, 30_000, 15 * 60_000, 10_000, 4, 30_000, 512, 64);
        }

        public Options withDrainTimeout(long drainMillis) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxFrame, stallTimeoutMillis,
                    idleTimeoutMillis, drainMillis, largeBuffersPerConnection, sendTimeoutMillis, maxCredits, maxCompound);
        }

        public Options withTimeouts(long stallMillis, long idleMillis, long sendMillis) {
            return new Options(backlog, maxConnections, maxInFlightPerConnection, maxFrame, stallMillis, idleMillis,
                    drainTimeoutMillis, largeBuffersPerConnection, sendMillis, maxCredits, maxCompound);
        }
    }

    private final String name;
    private final SmbServices services;
    private final Options options;
    private final BufferPool pool;
    private final SmbDispatcher dispatcher;
    private final ServerSocketChannel listener;
    private final Set<SmbConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
    private final ServerShutdown shutdown = new ServerShutdown();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean stopping;

    private SmbServer(String name, SmbServices services, Options options, BufferPool pool, ServerSocketChannel l) {
        this.name = name;
        this.services = services;
        this.options = options;
        this.pool = pool;
        this.dispatcher = new SmbDispatcher(Handlers.all());
        this.listener = l;
        this.acceptor = Thread.ofPlatform().name(name + "-accept").daemon(true).unstarted(this::acceptLoop);
        this.watchdog = Thread.ofVirtual().name(name + "-watchdog").unstarted(this::watchLoop);
    }

    /** Binds and starts serving; buffers come from {@code pool}, which the caller owns and closes after this. */
    public static SmbServer start(String name, InetSocketAddress bind, SmbServices services, BufferPool pool,
                                  Options options) throws IOException {
        if (services.config().maxIoSize() + 64 * 1024 > Math.min(pool.maxSize(), options.maxFrame())) {
            throw new IllegalArgumentException("SMB max I/O size " + services.config().maxIoSize()
                    + " does not fit the largest buffer/frame (" + Math.min(pool.maxSize(), options.maxFrame()) + ")");
        }
        ServerSocketChannel ssc = ServerSocketChannel.open();
        try {
            ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ssc.bind(bind, options.backlog());
        } catch (IOException e) {
            ssc.close();
            throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
        }
        SmbServer s = new SmbServer(name, services, options, pool, ssc);
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

    public int connectionCount() {
        return connections.size();
    }

    public SmbServices services() {
        return services;
    }

    Options options() {
        return options;
    }

    BufferPool pool() {
        return pool;
    }

    SmbDispatcher dispatcher() {
        return dispatcher;
    }

    private void acceptLoop() {
        AcceptLoop.run(name, listener, () -> stopping, connections::size, options.maxConnections(), () -> { },
                this::open, readers);
    }

    private Runnable open(SocketChannel ch) throws IOException {
        SmbConnection c = new SmbConnection(this, ch, (InetSocketAddress) ch.getRemoteAddress(),
                (InetSocketAddress) ch.getLocalAddress());
        connections.add(c);
        return c::run;
    }

    private void watchLoop() {
        long stall = TimeUnit.MILLISECONDS.toNanos(options.stallTimeoutMillis());
        long send = TimeUnit.MILLISECONDS.toNanos(options.sendTimeoutMillis());
        long idle = TimeUnit.MILLISECONDS.toNanos(options.idleTimeoutMillis());
        long shortest = Math.min(options.stallTimeoutMillis(), options.sendTimeoutMillis());
        if (options.idleTimeoutMillis() > 0) {
            shortest = Math.min(shortest, options.idleTimeoutMillis());
        }
        while (!stopping) {
            ServerShutdown.sleepQuietly(Math.min(1000, Math.max(20, shortest / 4)));
            long now = System.nanoTime();
            for (SmbConnection c : connections) {
                c.closeIfStalled(now, stall, send, idle);
            }
        }
    }

    void callStarted() {
        shutdown.started();
    }

    void callFinished() {
        shutdown.finished(stopping);
    }

    void connectionClosed(SmbConnection c) {
        if (connections.remove(c)) {
            c.state().async().cancelAll(); // waiters first: their handles are about to close
            io.dittofs.protocols.smb.handler.Close.closeAll(c.state());
        }
    }

    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        ServerShutdown.closeListener(listener, acceptor);
        for (SmbConnection c : connections) {
            c.shutdownInput();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
        int running = shutdown.awaitDrained(deadline);
        if (running > 0) {
            LOG.warn("{}: {} requests still running after the drain timeout", name, running);
        }
        for (SmbConnection c : connections) {
            c.close();
        }
        ServerShutdown.joinReaders(readers, deadline);
        watchdog.interrupt();
        LOG.info("{}: stopped", name);
    }
}
