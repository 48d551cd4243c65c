package io.dittofs.protocols.net;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the RPC and SMB servers share to stop cleanly: the count of requests in flight that
 * {@code close()} waits to drain, closing the listener so that its port is free at once, and
 * joining the connection readers before the caller frees the buffer pool. Thread-safe.
 */
public final class ServerShutdown {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();

    /** Counts a request in (requests that start while draining are still let finish). */
    public void started() {
        inFlight.incrementAndGet();
    }

    /** Counts a request out; wakes a draining {@link #awaitDrained} when it was the last. */
    public void finished(boolean stopping) {
        if (inFlight.decrementAndGet() == 0 && stopping) {
            lock.lock();
            try {
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Waits until no request is in flight or {@code deadlineNanos} ({@link System#nanoTime})
     * passes.
     *
     * @return the requests still running (0 when drained)
     */
    public int awaitDrained(long deadlineNanos) {
        lock.lock();
        try {
            while (inFlight.get() > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return inFlight.get();
                }
                drained.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return inFlight.get();
    }

    /**
     * Closes the listening channel and waits (up to 5 s) for its acceptor thread to leave
     * {@code accept()}: the port is released only then, and a restart on the same port
     * (reconfiguration) must not find it still bound.
     */
    public static void closeListener(ServerSocketChannel listener, Thread acceptor) {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Joins the connection readers, each until the deadline plus one second: readers still
     * inside a receive must be gone before the caller frees the buffer pool.
     */
    public static void joinReaders(Collection<Thread> readers, long deadlineNanos) {
        for (Thread t : readers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())) + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
