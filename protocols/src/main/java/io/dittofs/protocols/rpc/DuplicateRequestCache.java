package io.dittofs.protocols.rpc;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The duplicate-request cache: a retransmitted non-idempotent call (same client address, xid,
 * program, version, procedure and argument checksum) gets the reply of the first execution
 * instead of running twice; a retransmission that arrives while the first is still running is
 * dropped (the first one's reply answers it). Entries are bounded in number and age.
 *
 * <p>Thread-safe; the critical sections are a few map operations.
 */
public final class DuplicateRequestCache {
    /** What the caller should do with a call. */
    public sealed interface Verdict permits Verdict.Execute, Verdict.Drop, Verdict.Replay {
        /** A first call: run it and report the reply. */
        record Execute() implements Verdict {
        }

        /** The same call is being executed right now. */
        record Drop() implements Verdict {
        }

        /** Already executed: send these bytes (the full record, mark included). */
        record Replay(byte[] reply) implements Verdict {
        }
    }

    /** The identity of a call. */
    public record Key(InetAddress client, int xid, int program, int version, int proc, int argsChecksum) {
    }

    private static final Verdict.Execute EXECUTE = new Verdict.Execute();
    private static final Verdict.Drop DROP = new Verdict.Drop();

    private static final class Slot {
        byte[] reply;
        final long createdNanos = System.nanoTime();
    }

    private final int capacity;
    private final long maxAgeNanos;
    private final LinkedHashMap<Key, Slot> map;

    public DuplicateRequestCache(int capacity, long maxAgeSeconds) {
        this.capacity = capacity;
        this.maxAgeNanos = maxAgeSeconds * 1_000_000_000L;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Slot> eldest) {
                return size() > DuplicateRequestCache.this.capacity;
            }
        };
    }

    public synchronized Verdict begin(Key key) {
        Slot e = map.get(key);
        if (e != null && System.nanoTime() - e.createdNanos > maxAgeNanos) {
            map.remove(key);
            e = null;
        }
        if (e == null) {
            map.put(key, new Slot());
            return EXECUTE;
        }
        return e.reply == null ? DROP : new Verdict.Replay(e.reply);
    }

    /** Records the reply of an executed call. */
    public synchronized void complete(Key key, byte[] reply) {
        Slot e = map.get(key);
        if (e != null) {
            e.reply = reply;
        }
    }

    /** Forgets a call whose reply could not be produced, so a retransmission runs it. */
    public synchronized void abort(Key key) {
        Slot e = map.get(key);
        if (e != null && e.reply == null) {
            map.remove(key);
        }
    }

    public synchronized int size() {
        return map.size();
    }
}
