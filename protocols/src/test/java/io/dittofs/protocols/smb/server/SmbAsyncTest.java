package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.LockType;
import io.dittofs.protocols.smb.AsyncOps;
import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Async replies (MS-SMB2 3.3.4.2) and CANCEL (3.3.5.16) with blocking byte-range locks: the
 * interim STATUS_PENDING response, the final response with the same MessageId and AsyncId when the
 * core lock manager grants the lock, CANCEL by AsyncId and by MessageId, and what CLOSE,
 * TREE_DISCONNECT, LOGOFF and connection loss do to a waiting lock; the cap of waiting requests;
 * only the last element of a compound waits.
 */
@Timeout(30)
class SmbAsyncTest {
    private static final int SHARED = 0x1;
    private static final int EXCLUSIVE = 0x2;
    private static final int UNLOCK = 0x4;
    private static final int FAIL = 0x10;
    private final LockManager locks = new LockManager();
    private Harness c;

    @BeforeEach
    void setUp() {
        c = new Harness(locks, SmbFixtures.memoryFs());
    }

    /** Checks an interim response and returns its AsyncId. */
    private static long pending(ByteBuffer r) {
        assertEquals(NtStatus.PENDING, r.getInt(8), NtStatus.hex(r.getInt(8)));
        assertTrue((r.getInt(16) & 0x2) != 0, "SMB2_FLAGS_ASYNC_COMMAND");
        assertTrue((r.getShort(14) & 0xFFFF) > 0, "credits granted on the interim response");
        assertEquals(9, r.getShort(64), "ERROR body");
        long asyncId = r.getLong(32);
        assertNotEquals(0, asyncId);
        return asyncId;
    }

    private ByteBuffer finalOf(long messageId, long asyncId) throws InterruptedException {
        ByteBuffer f = c.nextFinal(5000);
        assertNotNull(f, "final response");
        assertEquals(messageId, f.getLong(24));
        assertEquals(asyncId, f.getLong(32));
        assertTrue((f.getInt(16) & 0x3) == 0x3, "async server response");
        assertEquals(0, f.getShort(14), "no credits on the final response");
        assertEquals(10, f.getShort(12), "LOCK");
        return f;
    }

    @Test
    void shouldAnswerPendingThenGrantTheLockWhenTheHolderUnlocks() throws Exception {
        long a = c.create("f", 0);
        long b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 100, 50, EXCLUSIVE).getInt(8));
        long mid = c.mid;
        long asyncId = pending(c.lock(b, 100, 50, EXCLUSIVE));
        assertNull(c.nextFinal(200), "still waiting");
        assertEquals(1, c.conn.async().size());
        assertEquals(NtStatus.SUCCESS, c.lock(a, 100, 50, UNLOCK).getInt(8));
        ByteBuffer f = finalOf(mid, asyncId);
        assertEquals(NtStatus.SUCCESS, f.getInt(8));
        assertEquals(4, f.getShort(64), "LOCK response body");
        assertEquals(NtStatus.LOCK_NOT_GRANTED, c.lock(a, 120, 1, SHARED | FAIL).getInt(8), "b holds it now");
        assertEquals(NtStatus.SUCCESS, c.lock(b, 100, 50, UNLOCK).getInt(8));
        assertEquals(0, c.conn.async().size());
    }

    @Test
    void shouldSignTheInterimAndFinalResponsesOnASigningSession() throws Exception {
        byte[] key = new byte[16];
        new java.util.Random(7).nextBytes(key);
        c = new Harness(locks, SmbFixtures.memoryFs(), key);
        long a = c.create("f", 0);
        long b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE).getInt(8));
        long mid = c.mid;
        ByteBuffer interim = c.lock(b, 0, 10, EXCLUSIVE);
        long asyncId = pending(interim);
        assertTrue(verified(interim), "interim response signed with the session's key");
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, UNLOCK).getInt(8));
        ByteBuffer f = finalOf(mid, asyncId);
        assertEquals(NtStatus.SUCCESS, f.getInt(8));
        assertEquals(0x8, f.getInt(16) & 0x8, "SMB2_FLAGS_SIGNED");
        assertTrue(verified(f), "final response signed with the session's key");
    }

    private boolean verified(ByteBuffer r) {
        byte[] bytes = new byte[r.remaining()];
        r.get(0, bytes);
        return c.session.signer().verify(ByteBuffer.wrap(bytes), 0, bytes.length);
    }

    @Test
    void shouldGrantAWaitingSmbLockWhenAnNfsOwnerUnlocks() throws Exception {
        long b = c.create("f", 0);
        FileKey k = new FileKey(1, c.fs.lookup(AuthContext.ROOT, c.fs.rootId(), "f").id());
        LockOwner nfs = new LockOwner("nlm", "host", new byte[] {1});
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isEmpty());
        long mid = c.mid;
        long asyncId = pending(c.lock(b, 5, 1, SHARED));
        locks.unlock(k, nfs, 0, 10);
        assertEquals(NtStatus.SUCCESS, finalOf(mid, asyncId).getInt(8));
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isPresent(), "the SMB lock is held");
    }

    @Test
    void shouldCancelAWaitingLockByAsyncIdAndByMessageId() throws Exception {
        long a = c.create("f", 0);
        long b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE).getInt(8));
        long mid = c.mid;
        long asyncId = pending(c.lock(b, 0, 10, EXCLUSIVE));
        assertEquals(NtStatus.RANGE_NOT_LOCKED, c.lock(b, 0, 10, UNLOCK).getInt(8), "not held while waiting");
        c.cancel(true, asyncId);
        assertEquals(NtStatus.CANCELLED, finalOf(mid, asyncId).getInt(8));

        mid = c.mid;
        asyncId = pending(c.lock(b, 0, 10, SHARED));
        c.cancel(false, mid);
        assertEquals(NtStatus.CANCELLED, finalOf(mid, asyncId).getInt(8));
        c.cancel(true, asyncId); // a second CANCEL finds nothing
        assertNull(c.nextFinal(100));

        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, UNLOCK).getInt(8));
        assertNull(c.nextFinal(200), "cancelled waiters are not granted");
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE | FAIL).getInt(8), "b holds nothing");
        assertEquals(0, c.conn.async().size());
    }

    @Test
    void shouldEndAWaitingLockWithRangeNotLockedWhenItsHandleCloses() throws Exception {
        long a = c.create("f", 0);
        long b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE).getInt(8));
        long mid = c.mid;
        long asyncId = pending(c.lock(b, 0, 10, EXCLUSIVE));
        assertEquals(NtStatus.SUCCESS, c.close(b));
        assertEquals(NtStatus.RANGE_NOT_LOCKED, finalOf(mid, asyncId).getInt(8));
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, UNLOCK).getInt(8));
        assertEquals(NtStatus.SUCCESS, c.close(a)); // its share reservation lives in the lock manager too
        assertEquals(0, locks.activeFiles(), "no waiter left behind");
    }

    @Test
    void shouldEndWaitingLocksOnTreeDisconnectLogoffAndConnectionLoss() throws Exception {
        long a = c.create("f", 0);
        long b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE).getInt(8));
        long mid = c.mid;
        long asyncId = pending(c.lock(b, 0, 10, EXCLUSIVE));
        assertEquals(NtStatus.SUCCESS, c.call(4, Harness.body(4).putShort((short) 4).putShort((short) 0)).getInt(8));
        ByteBuffer f = finalOf(mid, asyncId);
        assertEquals(NtStatus.SUCCESS, f.getInt(8), "as Windows and Samba answer");
        assertEquals(4, f.getShort(64), "with the LOCK body");
        assertEquals(0, locks.activeFiles(), "TREE_DISCONNECT: no waiter, no lock left");

        setUp();
        a = c.create("f", 0);
        b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE).getInt(8));
        mid = c.mid;
        asyncId = pending(c.lock(b, 0, 10, EXCLUSIVE));
        assertEquals(NtStatus.SUCCESS, c.call(2, Harness.body(4).putShort((short) 4).putShort((short) 0)).getInt(8));
        assertEquals(NtStatus.SUCCESS, finalOf(mid, asyncId).getInt(8));
        assertEquals(0, locks.activeFiles(), "LOGOFF: no waiter, no lock left");

        setUp();
        a = c.create("f", 0);
        b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE).getInt(8));
        pending(c.lock(b, 0, 10, EXCLUSIVE));
        c.conn.async().cancelAll();
        io.dittofs.protocols.smb.handler.Close.closeAll(c.conn);
        assertNull(c.nextFinal(200), "nobody to answer");
        assertEquals(0, c.conn.async().size());
        assertEquals(0, locks.activeFiles(), "connection loss: no waiter, no lock left");
    }

    @Test
    void shouldRefuseAWaitingRequestPastTheConnectionCap() throws Exception {
        long a = c.create("f", 0);
        long b = c.create("f", 0);
        int max = c.conn.async().max();
        assertEquals(AsyncOps.DEFAULT_MAX, max);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10L * max + 10, EXCLUSIVE).getInt(8));
        for (int i = 0; i < max; i++) {
            pending(c.lock(b, 10L * i, 1, EXCLUSIVE));
        }
        assertEquals(NtStatus.INSUFFICIENT_RESOURCES, c.lock(b, 10L * max, 1, EXCLUSIVE).getInt(8));
        assertEquals(max, c.conn.async().size());
        assertEquals(NtStatus.SUCCESS, c.close(b));
        for (int i = 0; i < max; i++) {
            assertEquals(NtStatus.RANGE_NOT_LOCKED, c.nextFinal(5000).getInt(8));
        }
        assertEquals(0, c.conn.async().size(), "room again");
    }

    @Test
    void shouldNotWaitInsideACompoundUnlessLast() {
        long a = c.create("f", 0);
        long b = c.create("f", 0);
        assertEquals(NtStatus.SUCCESS, c.lock(a, 0, 10, EXCLUSIVE).getInt(8));
        byte[] first = c.element(10, 0, c.mid++, Harness.lockBody(b, 0, 10, EXCLUSIVE), false);
        byte[] second = c.element(13, 0, c.mid++, Harness.body(4).putShort((short) 4).putShort((short) 0), true);
        byte[] msg = new byte[first.length + second.length];
        System.arraycopy(first, 0, msg, 0, first.length);
        System.arraycopy(second, 0, msg, first.length, second.length);
        ByteBuffer r = c.run(msg);
        assertEquals(NtStatus.LOCK_NOT_GRANTED, r.getInt(8));
        assertEquals(0, r.getInt(16) & 0x2, "not async");
        int next = r.getInt(20);
        assertEquals(NtStatus.SUCCESS, r.getInt(next + 8), "ECHO");
        assertEquals(0, c.conn.async().size());
    }
}
