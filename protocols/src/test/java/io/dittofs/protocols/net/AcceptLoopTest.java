package io.dittofs.protocols.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The accept loop on a real listener: the connection limit refuses, and frees a place when a connection ends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptLoopTest {

    @Test
    void shouldRefuseConnectionsBeyondTheLimitAndAcceptAgainWhenOneEnds() throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stopping = new AtomicBoolean();
        Set<Thread> readers = ConcurrentHashMap.newKeySet();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch[] opened = {new CountDownLatch(2)};
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Thread acceptor = Thread.ofPlatform().start(() -> AcceptLoop.run("test", listener, stopping::get,
                    open::get, 2, refused::incrementAndGet, ch -> {
                        open.incrementAndGet();
                        opened[0].countDown();
                        return () -> {
                            try (ch) {
                                release.await();
                            } catch (InterruptedException | IOException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                open.decrementAndGet();
                            }
                        };
                    }, readers));
            try (Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
                assertTrue(opened[0].await(10, TimeUnit.SECONDS), "the first two connections are opened");
                try (Socket c = new Socket("127.0.0.1", port)) {
                    c.setSoTimeout(10_000);
                    assertEquals(-1, c.getInputStream().read(), "the third connection is closed by the server");
                }
                waitFor(() -> refused.get() == 1);
                assertEquals(2, open.get());
                release.countDown();
                assertEquals(-1, readToEnd(a));
                assertEquals(-1, readToEnd(b));
            }
            waitFor(() -> open.get() == 0 && readers.isEmpty());
            opened[0] = new CountDownLatch(1);
            try (Socket d = new Socket("127.0.0.1", port)) {
                assertTrue(opened[0].await(10, TimeUnit.SECONDS), "a place freed by a closed connection is reused");
                assertEquals(-1, readToEnd(d));
            }
            assertEquals(1, refused.get());
            stopping.set(true);
            listener.close();
            acceptor.join(10_000);
            assertTrue(!acceptor.isAlive(), "the loop ends when the listener is closed");
        }
    }

    @Test
    void shouldReadEachConnectionOnAPlatformThread() throws Exception {
        java.util.concurrent.CompletableFuture<Thread> reader = new java.util.concurrent.CompletableFuture<>();
        AtomicBoolean stopping = new AtomicBoolean();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Thread acceptor = Thread.ofPlatform().start(() -> AcceptLoop.run("test", listener, stopping::get,
                    () -> 0, 2, () -> { }, ch -> () -> {
                        reader.complete(Thread.currentThread());
                        try {
                            ch.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }, ConcurrentHashMap.newKeySet()));
            try (Socket a = new Socket("127.0.0.1", port)) {
                Thread t = reader.get(10, TimeUnit.SECONDS);
                assertFalse(t.isVirtual(), "a blocking read on a platform thread is one read(2), not the poller's"
                        + " epoll_ctl/epoll_wait and wake-up per call (issue 9.4)");
                assertTrue(t.isDaemon());
            }
            stopping.set(true);
            listener.close();
            acceptor.join(10_000);
        }
    }

    private static int readToEnd(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        return in.read();
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached in 10 s");
            Thread.sleep(10);
        }
    }
}
