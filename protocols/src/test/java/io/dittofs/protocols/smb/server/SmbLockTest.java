package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.LockType;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.handler.Close;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SMB2 LOCK through the dispatcher on memory stores, two opens of one file standing for two
 * clients: shared/exclusive conflicts, unlock rules, multi-element requests, flag and range
 * validation, release on CLOSE/LOGOFF/TREE_DISCONNECT/connection loss, READ/WRITE against locks,
 * and conflicts with an NFS owner through the shared {@link LockManager}.
 */
class SmbLockTest {
    private static final int GENERIC_RW = 0xC000_0000;
    private static final int SHARED = 0x1;
    private static final int EXCLUSIVE = 0x2;
    private static final int UNLOCK = 0x4;
    private static final int FAIL = 0x10;
    private final LockManager locks = new LockManager();
    private FileSystem fs;
    private SmbTestConn client;

    @BeforeEach
    void setUp() {
        fs = SmbFixtures.memoryFs();
        client = new SmbTestConn(SmbTestConn.server(fs, locks));
    }

    private static ByteBuffer body(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer call(int cmd, ByteBuffer b) {
        return client.call(cmd, b);
    }

    private long open(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer b = body((56 + n.length + 7) & ~7);
        b.putShort((short) 57).put((byte) 0).put((byte) 0).putInt(2).putLong(0).putLong(0).putInt(GENERIC_RW).putInt(0)
                .putInt(7).putInt(3).putInt(0).putShort((short) 120).putShort((short) n.length)
                .putInt(0).putInt(0).put(n);
        b.position(b.capacity());
        ByteBuffer r = call(5, b);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        return r.getLong(64 + 72);
    }

    /** LOCK with elements given as {offset, length, flags} triples; returns the status. */
    private int lock(long fid, long... elements) {
        int count = elements.length / 3;
        ByteBuffer b = body(24 + 24 * count);
        b.putShort((short) 48).putShort((short) count).putInt(0).putLong(fid).putLong(fid);
        for (int i = 0; i < count; i++) {
            b.putLong(elements[3 * i]).putLong(elements[3 * i + 1]).putInt((int) elements[3 * i + 2]).putInt(0);
        }
        return call(10, b).getInt(8);
    }

    private int write(long fid, long off, int len) {
        ByteBuffer b = body(48 + len);
        b.putShort((short) 49).putShort((short) 112).putInt(len).putLong(off).putLong(fid).putLong(fid)
                .putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0).put(new byte[len]);
        return call(9, b).getInt(8);
    }

    private int read(long fid, long off, int len) {
        ByteBuffer b = body(49);
        b.putShort((short) 49).put((byte) 0).put((byte) 0).putInt(len).putLong(off).putLong(fid).putLong(fid)
                .putInt(0).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).put((byte) 0);
        return call(8, b).getInt(8);
    }

    private int close(long fid) {
        ByteBuffer b = body(24);
        b.putShort((short) 24).putShort((short) 0).putInt(0).putLong(fid).putLong(fid);
        return call(6, b).getInt(8);
    }

    private FileKey key(String name) {
        return new FileKey(1, fs.lookup(AuthContext.ROOT, fs.rootId(), name).id());
    }

    @Test
    void shouldRefuseAConflictingExclusiveLockOfAnotherOpen() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 5, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 5, 10, SHARED | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(b, 10, 10, EXCLUSIVE | FAIL), "adjacent range is free");
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(a, 0, 10, EXCLUSIVE | FAIL), "not even the same open");
    }

    @Test
    void shouldShareSharedLocksButNotWithAnExclusiveOne() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, SHARED | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(b, 0, 10, SHARED | FAIL));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 0, 1, EXCLUSIVE | FAIL));
    }

    @Test
    void shouldAnswerLockNotGrantedForEveryFailedAttempt() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 100, 10, EXCLUSIVE));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 100, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 100, 10, EXCLUSIVE | FAIL), "SMB2: also when repeated");
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(a, 100, 10, EXCLUSIVE), "its own lock: no wait");
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 105, 1, EXCLUSIVE | FAIL));
    }

    @Test
    void shouldConflictAZeroLengthLockOnlyWithARangeHoldingItsOffsetInside() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 10, 0, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(b, 10, 0, EXCLUSIVE | FAIL), "zero and zero");
        assertEquals(NtStatus.SUCCESS, lock(b, 10, 2, EXCLUSIVE | FAIL), "offset at the start");
        assertEquals(NtStatus.SUCCESS, lock(b, 9, 1, EXCLUSIVE | FAIL), "offset at the end");
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 8, 3, EXCLUSIVE | FAIL), "offset inside");
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(a, 8, 3, SHARED | FAIL), "also on the same open");
        assertEquals(NtStatus.SUCCESS, lock(a, 10, 0, UNLOCK));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 8, 3, SHARED | FAIL), "b's own zero-length lock");
        assertEquals(NtStatus.SUCCESS, lock(b, 10, 0, UNLOCK));
        assertEquals(NtStatus.SUCCESS, lock(b, 8, 3, SHARED | FAIL));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(a, 9, 0, EXCLUSIVE | FAIL), "inside another's range");
        assertEquals(NtStatus.SUCCESS, lock(a, 9, 0, SHARED | FAIL), "shared in shared");
    }

    @Test
    void shouldAnswerFileClosedForAWrongPersistentFileId() {
        long a = open("f");
        ByteBuffer b = body(48);
        b.putShort((short) 48).putShort((short) 1).putInt(0).putLong(a + 1).putLong(a).putLong(0).putLong(1)
                .putInt(EXCLUSIVE).putInt(0);
        assertEquals(NtStatus.FILE_CLOSED, call(10, b).getInt(8));
    }

    @Test
    void shouldUnlockOnlyAnExactlyLockedRange() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.RANGE_NOT_LOCKED, lock(a, 0, 5, UNLOCK));
        assertEquals(NtStatus.RANGE_NOT_LOCKED, lock(b, 0, 10, UNLOCK), "another open's lock");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, UNLOCK));
        assertEquals(NtStatus.RANGE_NOT_LOCKED, lock(a, 0, 10, UNLOCK), "already unlocked");
        assertEquals(NtStatus.SUCCESS, lock(b, 0, 10, EXCLUSIVE | FAIL));
    }

    @Test
    void shouldKeepAStackedSharedLockWhenTheExclusiveOneIsUnlocked() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, SHARED | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, UNLOCK));
        assertEquals(NtStatus.SUCCESS, lock(b, 0, 10, SHARED | FAIL), "shared stays: shared is compatible");
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 0, 10, EXCLUSIVE | FAIL), "shared stays");
    }

    @Test
    void shouldReleaseTheLocksOfAFailedMultiElementRequest() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 50, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(b, 0, 10, EXCLUSIVE | FAIL, 20, 10, SHARED | FAIL,
                55, 1, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 30, EXCLUSIVE | FAIL), "the first two were released");
        assertEquals(NtStatus.SUCCESS, lock(a, 100, 1, EXCLUSIVE | FAIL, 200, 1, SHARED | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(a, 100, 1, UNLOCK, 200, 1, UNLOCK));
    }

    @Test
    void shouldRefuseInvalidFlagsAndCounts() {
        long a = open("f");
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 0, 1, SHARED | EXCLUSIVE));
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 0, 1, 0));
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 9999, 1, 0, 9999, 1, UNLOCK));
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 9999, 1, 0, 9999, 1, 0));
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 0, 1, UNLOCK | FAIL));
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 0, 1, UNLOCK | EXCLUSIVE));
        assertEquals(NtStatus.RANGE_NOT_LOCKED, lock(a, 0, 1, UNLOCK, 5, 1, EXCLUSIVE | FAIL),
                "mixed: the unlock runs first");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 1, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 0, 1, UNLOCK, 5, 1, EXCLUSIVE | FAIL), "mixed");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 1, EXCLUSIVE | FAIL), "the valid unlock ran");
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a, 0, 1, EXCLUSIVE | FAIL, 5, 1, UNLOCK), "mixed");
        assertEquals(NtStatus.INVALID_PARAMETER, lock(a), "LockCount 0");
        ByteBuffer b = body(48);
        b.putShort((short) 48).putShort((short) 0xFFFF).putInt(0).putLong(a).putLong(a).putLong(0).putLong(1)
                .putInt(EXCLUSIVE).putInt(0);
        assertEquals(NtStatus.INVALID_PARAMETER, call(10, b).getInt(8), "LockCount past the message");
    }

    @Test
    void shouldRefuseARangePastTheLastOffset() {
        long a = open("f");
        assertEquals(NtStatus.INVALID_LOCK_RANGE, lock(a, -2L, 3, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(a, -2L, 2, EXCLUSIVE | FAIL), "up to 2^64 - 1");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, -1L, SHARED | FAIL), "length ~0 from 0");
    }

    @Test
    void shouldReleaseLocksOnClose() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.SUCCESS, close(a));
        assertEquals(NtStatus.SUCCESS, lock(b, 0, 10, EXCLUSIVE | FAIL));
    }

    @Test
    void shouldReleaseLocksOnTreeDisconnectLogoffAndConnectionLoss() {
        long a = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        FileKey k = key("f");
        LockOwner nfs = new LockOwner("nlm", "host", new byte[] {1});
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isPresent());
        assertEquals(NtStatus.SUCCESS, call(4, body(4).putShort((short) 4).putShort((short) 0)).getInt(8));
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isEmpty(), "TREE_DISCONNECT released it");
        locks.releaseAll(nfs);

        setUp();
        a = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        k = key("f");
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isPresent());
        assertEquals(NtStatus.SUCCESS, call(2, body(4).putShort((short) 4).putShort((short) 0)).getInt(8));
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isEmpty(), "LOGOFF released it");
        locks.releaseAll(nfs);

        setUp();
        a = open("f");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        k = key("f");
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isPresent());
        Close.closeAll(client.conn());
        assertTrue(locks.lock(k, nfs, LockType.WRITE, 0, 10).isEmpty(), "connection loss released it");
    }

    @Test
    void shouldRefuseReadAndWriteOnARangeLockedByAnotherOpen() {
        long a = open("f");
        long b = open("f");
        assertEquals(NtStatus.SUCCESS, write(a, 0, 100));
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.FILE_LOCK_CONFLICT, read(b, 5, 10));
        assertEquals(NtStatus.FILE_LOCK_CONFLICT, write(b, 5, 10));
        assertEquals(NtStatus.SUCCESS, read(b, 10, 10));
        assertEquals(NtStatus.SUCCESS, read(a, 0, 10), "the holder reads");
        assertEquals(NtStatus.SUCCESS, write(a, 0, 10), "the holder writes");
        assertEquals(NtStatus.SUCCESS, lock(a, 0, 10, UNLOCK));
        assertEquals(NtStatus.SUCCESS, lock(a, 20, 10, SHARED | FAIL));
        assertEquals(NtStatus.SUCCESS, read(b, 20, 10), "shared lock lets others read");
        assertEquals(NtStatus.FILE_LOCK_CONFLICT, write(b, 20, 10));
        assertEquals(NtStatus.FILE_LOCK_CONFLICT, write(a, 20, 10), "a shared lock blocks its own writes");
    }

    @Test
    void shouldConflictWithAnNfsLockOnTheSameRange() {
        long a = open("f");
        FileKey k = key("f");
        LockOwner nfs = new LockOwner("nlm", "host", new byte[] {1});
        assertTrue(locks.lock(k, nfs, LockType.READ, 0, 10).isEmpty());
        assertEquals(NtStatus.LOCK_NOT_GRANTED, lock(a, 5, 10, EXCLUSIVE | FAIL));
        assertEquals(NtStatus.SUCCESS, lock(a, 5, 10, SHARED | FAIL));
        assertEquals(NtStatus.FILE_LOCK_CONFLICT, write(a, 0, 4), "the NFS lock also guards I/O");
        assertEquals(NtStatus.SUCCESS, lock(a, 100, 10, EXCLUSIVE | FAIL));
        assertTrue(locks.lock(k, nfs, LockType.READ, 105, 1).isPresent(), "the SMB lock blocks NFS");
    }

    @Test
    void shouldWaitForAnNfsDelegationToBeReturnedBeforeAnOpenForWriting() {
        assertEquals(NtStatus.SUCCESS, close(open("d")));
        FileKey k = key("d");
        java.util.concurrent.atomic.AtomicInteger recalls = new java.util.concurrent.atomic.AtomicInteger();
        assertTrue(locks.delegations().grant(k, "nfs4", "c1", g -> {
            recalls.incrementAndGet();
            Thread.ofVirtual().start(() -> { // the NFS client returns it a little later
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                locks.delegations().release(g);
            });
        }) != null);
        open("d"); // for reading and writing: recalls the delegation and waits for its return
        assertEquals(1, recalls.get(), "the NFS delegation was recalled");
        assertTrue(!locks.delegations().held(k));
    }
}
