package io.dittofs.protocols.nlm;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.Waiter;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Blocked NLM LOCK requests (block = TRUE answered NLM4_BLOCKED), by owner, file and range as the
 * client sent them. A client that misses the GRANTED callback retries the same LOCK (Linux polls
 * every 30 s); the retry finds its block and gets NLM4_GRANTED once the waiter was granted. A
 * granted block whose callback was not delivered is forgotten after {@value #GRANTED_TTL_SECONDS}
 * seconds (the lock itself stays held). Pending blocks are bounded through the lock manager's
 * per-client cap (each holds a {@link Waiter}). Thread-safe.
 */
final class NlmBlocks {
    static final long GRANTED_TTL_SECONDS = 120;

    /** A blocked request as the client identifies it. */
    record Key(LockOwner owner, FileKey file, long offset, long length, boolean exclusive) {
    }

    /** One blocked request; the waiter is set right after it is queued. */
    static final class Block {
        final Key key;
        final Nlm4Xdr.Lock lock;
        final byte[] cookie;
        final InetAddress client;
        /** Counted down once {@link #waiter} is set, so the grant callback never sees it unset. */
        final java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
        volatile Waiter waiter;
        volatile long grantedAtNanos;

        Block(Key key, Nlm4Xdr.Lock lock, byte[] cookie, InetAddress client) {
            this.key = key;
            this.lock = lock;
            this.cookie = cookie;
            this.client = client;
        }

        boolean granted() {
            Waiter w = waiter;
            return w != null && w.isGranted();
        }
    }

    private final ConcurrentHashMap<Key, Block> blocks = new ConcurrentHashMap<>();

    Block get(Key k) {
        return blocks.get(k);
    }

    /** Adds a block unless one exists for the key; returns the one in the table. */
    Block add(Block b) {
        purgeStale();
        Block prev = blocks.putIfAbsent(b.key, b);
        return prev == null ? b : prev;
    }

    boolean remove(Block b) {
        return blocks.remove(b.key, b);
    }

    /**
     * Removes and returns the blocks of {@code owner} on {@code file} overlapping {@code [start, end)}
     * (UNLOCK cancels them first, as knfsd's nlmsvc_unlock does).
     */
    java.util.List<Block> removeOverlapping(LockOwner owner, FileKey file, long start, long end) {
        java.util.List<Block> out = new java.util.ArrayList<>();
        blocks.values().removeIf(b -> {
            io.dittofs.core.lock.LockRange r = new io.dittofs.core.lock.LockRange(b.key.offset(), NlmLocking.len(b.lock));
            boolean match = b.key.owner().equals(owner) && b.key.file().equals(file) && r.start() < end && start < r.end();
            if (match) {
                out.add(b);
            }
            return match;
        });
        return out;
    }

    boolean contains(Block b) {
        return blocks.get(b.key) == b;
    }

    /** Forgets every block of a caller name (FREE_ALL, SM_NOTIFY); the waiters are cancelled by the lock manager. */
    void dropHost(String callerName) {
        blocks.values().removeIf(b -> b.key.owner().clientId().equals(callerName));
    }

    private void purgeStale() {
        long now = System.nanoTime();
        long ttl = TimeUnit.SECONDS.toNanos(GRANTED_TTL_SECONDS);
        blocks.values().removeIf(b -> b.grantedAtNanos != 0 && now - b.grantedAtNanos > ttl);
    }

    int size() {
        return blocks.size();
    }
}
