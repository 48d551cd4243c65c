package io.dittofs.protocols.rpc;

import io.dittofs.protocols.rpc.DuplicateRequestCache.Key;
import io.dittofs.protocols.rpc.DuplicateRequestCache.Verdict;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DuplicateRequestCacheTest {
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
    private static final byte[] REPLY = {(byte) 0x80, 0, 0, 4, 1, 2, 3, 4};

    private static Key key(int xid) {
        return new Key(CLIENT, xid, 100003, 3, 8, 0x1234);
    }

    @Test
    void shouldExecuteWhenCallIsNew() {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        assertInstanceOf(Verdict.Execute.class, drc.begin(key(1)));
        assertEquals(1, drc.size());
    }

    @Test
    void shouldDropWhenSameCallStillInProgress() {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        drc.begin(key(1));
        assertInstanceOf(Verdict.Drop.class, drc.begin(key(1)));
    }

    @Test
    void shouldReplayReplyWhenSameCallCompleted() {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        drc.begin(key(1));
        drc.complete(key(1), REPLY);
        Verdict v = drc.begin(key(1));
        assertArrayEquals(REPLY, assertInstanceOf(Verdict.Replay.class, v).reply());
        assertArrayEquals(REPLY, assertInstanceOf(Verdict.Replay.class, drc.begin(key(1))).reply(), "replays again");
    }

    @Test
    void shouldExecuteWhenAnyPartOfKeyDiffers() throws Exception {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        drc.begin(key(1));
        drc.complete(key(1), REPLY);
        assertInstanceOf(Verdict.Execute.class, drc.begin(key(2)), "xid");
        assertInstanceOf(Verdict.Execute.class, drc.begin(new Key(CLIENT, 1, 100003, 3, 8, 0x9999)), "args");
        assertInstanceOf(Verdict.Execute.class, drc.begin(new Key(CLIENT, 1, 100003, 3, 12, 0x1234)), "proc");
        assertInstanceOf(Verdict.Execute.class,
                drc.begin(new Key(InetAddress.getByName("192.0.2.1"), 1, 100003, 3, 8, 0x1234)), "client");
    }

    @Test
    void shouldExecuteAgainWhenAborted() {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        drc.begin(key(1));
        drc.abort(key(1));
        assertEquals(0, drc.size());
        assertInstanceOf(Verdict.Execute.class, drc.begin(key(1)));
    }

    @Test
    void shouldKeepReplyWhenAbortedAfterCompletion() {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        drc.begin(key(1));
        drc.complete(key(1), REPLY);
        drc.abort(key(1));
        assertInstanceOf(Verdict.Replay.class, drc.begin(key(1)));
    }

    @Test
    void shouldIgnoreCompletionWhenKeyUnknown() {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        drc.complete(key(1), REPLY);
        assertEquals(0, drc.size());
        assertInstanceOf(Verdict.Execute.class, drc.begin(key(1)));
    }

    @Test
    void shouldEvictOldestEntryWhenOverCapacity() {
        DuplicateRequestCache drc = new DuplicateRequestCache(2, 600);
        for (int xid = 1; xid <= 3; xid++) {
            drc.begin(key(xid));
            drc.complete(key(xid), REPLY);
        }
        assertEquals(2, drc.size());
        assertInstanceOf(Verdict.Replay.class, drc.begin(key(3)));
        assertInstanceOf(Verdict.Replay.class, drc.begin(key(2)));
        assertInstanceOf(Verdict.Execute.class, drc.begin(key(1)), "the oldest was evicted");
    }

    @Test
    void shouldExecuteAgainWhenEntryExpired() throws InterruptedException {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 0);
        drc.begin(key(1));
        drc.complete(key(1), REPLY);
        Thread.sleep(5);
        assertInstanceOf(Verdict.Execute.class, drc.begin(key(1)));
        assertEquals(1, drc.size());
    }

    @Test
    void shouldReplayWhenEntryYoungerThanMaxAge() throws InterruptedException {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 60);
        drc.begin(key(1));
        drc.complete(key(1), REPLY);
        Thread.sleep(5);
        assertInstanceOf(Verdict.Replay.class, drc.begin(key(1)));
    }

    @Test
    void shouldMarkTheRecordOfAnEncodedReply() {
        DuplicateRequestCache drc = new DuplicateRequestCache(16, 600);
        drc.begin(key(1));
        drc.completeEncoded(key(1), MemorySegment.ofArray(new byte[] {0, 0, 0, 0, 7, 8, 9}));
        assertArrayEquals(new byte[] {(byte) 0x80, 0, 0, 3, 7, 8, 9},
                assertInstanceOf(Verdict.Replay.class, drc.begin(key(1))).reply());
    }

    @Test
    void shouldReplayAReplyLargerThanASlot() {
        DuplicateRequestCache drc = new DuplicateRequestCache(4, 600);
        byte[] big = new byte[DuplicateRequestCache.SLOT_BYTES + 100];
        new Random(1).nextBytes(big);
        drc.begin(key(1));
        drc.complete(key(1), big);
        assertArrayEquals(big, assertInstanceOf(Verdict.Replay.class, drc.begin(key(1))).reply());
        for (int xid = 2; xid <= 5; xid++) { // pushes it out of the ring
            drc.begin(key(xid));
        }
        assertInstanceOf(Verdict.Execute.class, drc.begin(key(1)));
    }

    /**
     * Random begin/complete/abort over a small key space against a model of the ring: the n-th
     * call cached takes the place of the (n - capacity)-th, if that one is still there. Same
     * verdicts, same bytes; exercises index collisions and the backward-shift deletion of evicted
     * and aborted slots.
     */
    @Test
    void shouldBehaveLikeARingOfCapacityCalls() {
        int capacity = 37;
        DuplicateRequestCache drc = new DuplicateRequestCache(capacity, 600);
        Map<Key, byte[]> model = new LinkedHashMap<>(); // null value: running
        Map<Key, Long> seqOf = new LinkedHashMap<>();
        Map<Long, Key> keyOf = new LinkedHashMap<>();
        long inserted = 0;
        Random r = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            Key k = new Key(CLIENT, r.nextInt(120), 100003, 3, 1 + r.nextInt(3), r.nextInt(2));
            switch (r.nextInt(3)) {
                case 0 -> {
                    Verdict v = drc.begin(k);
                    if (!model.containsKey(k)) {
                        assertInstanceOf(Verdict.Execute.class, v, "step " + step);
                        Key old = keyOf.remove(inserted - capacity);
                        if (old != null) {
                            model.remove(old);
                            seqOf.remove(old);
                        }
                        model.put(k, null);
                        seqOf.put(k, inserted);
                        keyOf.put(inserted, k);
                        inserted++;
                    } else if (model.get(k) == null) {
                        assertInstanceOf(Verdict.Drop.class, v, "step " + step);
                    } else {
                        assertArrayEquals(model.get(k), assertInstanceOf(Verdict.Replay.class, v).reply(),
                                "step " + step);
                    }
                }
                case 1 -> {
                    byte[] reply = new byte[4 + r.nextInt(DuplicateRequestCache.SLOT_BYTES)];
                    r.nextBytes(reply);
                    drc.complete(k, reply);
                    if (model.containsKey(k)) {
                        model.put(k, reply);
                    }
                }
                default -> {
                    drc.abort(k);
                    if (model.containsKey(k) && model.get(k) == null) {
                        model.remove(k);
                        keyOf.remove(seqOf.remove(k));
                    }
                }
            }
            assertEquals(model.size(), drc.size(), "step " + step);
        }
    }

    /** A cached call leaves no object behind (the map it replaced made three per call, plus the reply copy). */
    @Test
    void shouldAllocateNothingPerCachedCall() {
        DuplicateRequestCache drc = new DuplicateRequestCache(1024, 600);
        Key[] keys = new Key[20_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(i);
        }
        MemorySegment reply = MemorySegment.ofArray(new byte[200]);
        for (int round = 0; round < 3; round++) { // warm up, so the JIT has compiled it
            for (Key k : keys) {
                drc.begin(k);
                drc.completeEncoded(k, reply);
            }
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (Key k : keys) {
            drc.begin(k);
            drc.completeEncoded(k, reply);
        }
        long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / keys.length;
        assertTrue(perCall < 8, "bytes allocated per cached call: " + perCall);
    }
}
