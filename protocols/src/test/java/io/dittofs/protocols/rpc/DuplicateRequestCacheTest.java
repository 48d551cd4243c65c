package io.dittofs.protocols.rpc;

import io.dittofs.protocols.rpc.DuplicateRequestCache.Key;
import io.dittofs.protocols.rpc.DuplicateRequestCache.Verdict;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
}
