package io.dittofs.core.lock;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.dittofs.core.lock.LockManager.ACCESS_READ;
import static io.dittofs.core.lock.LockManager.ACCESS_WRITE;
import static io.dittofs.core.lock.LockType.READ;
import static io.dittofs.core.lock.LockType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class LockManagerTest {
    private static final FileKey F = new FileKey(1, 42);
    private static final LockOwner A = owner("nlm", "hostA", "a");
    private static final LockOwner B = owner("nlm", "hostB", "b");
    private static final LockOwner C = owner("nfs4", "client1", "c");
    private static final long EOF = LockRange.TO_EOF;

    private final LockManager m = new LockManager();

    private static LockOwner owner(String p, String client, String o) {
        return new LockOwner(p, client, o.getBytes(StandardCharsets.UTF_8));
    }

    /** The file's locks as "owner-client type offset+length", sorted by offset. */
    private List<String> held(LockOwner o) {
        return m.held(F).stream().filter(c -> c.owner().equals(o))
            .sorted(Comparator.comparingLong(Conflict::offset))
            .map(c -> c.type() + " " + c.offset() + "+" + (c.toEof() ? "eof" : Long.toString(c.length())))
            .toList();
    }

    @Test
    void shouldMergeTouchingAndOverlappingRangesOfOneOwner() {
        assertTrue(m.lock(F, A, WRITE, 0, 10).isEmpty());
        assertTrue(m.lock(F, A, WRITE, 10, 10).isEmpty());
        assertTrue(m.lock(F, A, WRITE, 15, 10).isEmpty());
        assertEquals(List.of("WRITE 0+25"), held(A));
        assertEquals(1, m.rangesOf("nlm", "hostA"));
    }

    @Test
    void shouldSplitALockWhenItsMiddleIsUnlocked() {
        m.lock(F, A, WRITE, 0, 100);
        m.unlock(F, A, 40, 20);
        assertEquals(List.of("WRITE 0+40", "WRITE 60+40"), held(A));
        assertTrue(m.lock(F, B, WRITE, 40, 20).isEmpty());
        assertEquals(2, m.rangesOf("nlm", "hostA"));
    }

    @Test
    void shouldUpgradeAndDowngradeOnlyTheRequestedPart() {
        m.lock(F, A, READ, 0, 100);
        m.lock(F, A, WRITE, 40, 20);
        assertEquals(List.of("READ 0+40", "WRITE 40+20", "READ 60+40"), held(A));
        assertTrue(m.test(F, B, READ, 0, 40).isEmpty());
        assertEquals(WRITE, m.test(F, B, READ, 50, 1).orElseThrow().type());
        m.lock(F, A, READ, 40, 20);
        assertEquals(List.of("READ 0+100"), held(A));
        assertTrue(m.lock(F, B, READ, 50, 1).isEmpty());
    }

    @Test
    void shouldLetReadersShareAndRefuseWritersBetweenOwners() {
        assertTrue(m.lock(F, A, READ, 0, 10).isEmpty());
        assertTrue(m.lock(F, B, READ, 5, 10).isEmpty());
        Conflict c = m.lock(F, B, WRITE, 0, 1).orElseThrow();
        assertEquals(new Conflict(A, READ, 0, 10), c);
        assertTrue(m.lock(F, C, WRITE, 20, 5).isEmpty());
        assertEquals(new Conflict(C, WRITE, 20, 5), m.lock(F, A, WRITE, 24, 1).orElseThrow());
        assertEquals(new Conflict(C, WRITE, 20, 5), m.lock(F, A, READ, 0, 0).orElseThrow());
        assertTrue(m.lock(F, A, WRITE, 25, 1).isEmpty());
    }

    @Test
    void shouldTreatZeroAndAllOnesLengthAsToEndOfFile() {
        m.lock(F, A, WRITE, 1000, 0);
        assertEquals(List.of("WRITE 1000+eof"), held(A));
        Conflict c = m.test(F, B, READ, Long.MAX_VALUE - 10, 5).orElseThrow();
        assertTrue(c.toEof());
        assertEquals(EOF, c.length());
        m.unlock(F, A, 0, EOF);
        assertEquals(List.of(), held(A));
        m.lock(F, B, READ, 5, EOF);
        assertTrue(m.test(F, A, WRITE, 0, 5).isEmpty());
        assertFalse(m.test(F, A, WRITE, -2L, 1).isEmpty(), "offsets past 2^63 clamp to the end");
    }

    @Test
    void shouldRejectOffsetPlusLengthOverflow() {
        FsException e = assertThrows(FsException.class, () -> m.lock(F, A, WRITE, -10L, 11));
        assertEquals(FsError.INVALID, e.error());
        assertThrows(FsException.class, () -> m.test(F, A, WRITE, 2, -1L - 1));
        assertTrue(m.test(F, A, WRITE, 1, -1L - 1).isEmpty(), "ends exactly at 2^64");
        assertTrue(m.lock(F, A, WRITE, -10L, 9).isEmpty(), "up to 2^64 - 1 is fine");
        assertEquals(0, m.held(F).stream().filter(c -> c.owner().equals(B)).count());
    }

    @Test
    void shouldReleaseEveryLockAndReservationOfAnOwner() {
        FileKey g = new FileKey(2, 7);
        m.lock(F, A, WRITE, 0, 10);
        m.lock(g, A, READ, 0, 10);
        m.reserve(g, A, ACCESS_READ, ACCESS_WRITE);
        m.lock(F, B, WRITE, 20, 10);
        assertTrue(m.hasLocks(A));
        m.releaseAll(A);
        assertFalse(m.hasLocks(A));
        assertTrue(m.lock(g, B, WRITE, 0, 0).isEmpty());
        assertTrue(m.reserve(g, B, ACCESS_WRITE, 0).isEmpty());
        assertEquals(0, m.rangesOf("nlm", "hostA"));
        assertTrue(m.hasLocks(B));
    }

    @Test
    void shouldReleaseAllOwnersOfOneClientOnly() {
        LockOwner a2 = owner("nlm", "hostA", "a2");
        m.lock(F, A, READ, 0, 10);
        m.lock(F, a2, READ, 20, 10);
        m.lock(F, B, READ, 40, 10);
        m.releaseClient("nlm", "hostA");
        assertTrue(m.lock(F, C, WRITE, 0, 30).isEmpty());
        assertFalse(m.lock(F, C, WRITE, 40, 1).isEmpty());
    }

    @Test
    void shouldGrantBlockedWaitersInFifoOrderWhenTheHolderUnlocks() throws Exception {
        m.lock(F, A, WRITE, 0, 0);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch first = new CountDownLatch(1);
        Waiter wb = m.lockWhenFree(F, B, WRITE, 0, 10, () -> { order.add("B"); first.countDown(); });
        Waiter wc = m.lockWhenFree(F, C, READ, 5, 1, () -> order.add("C"));
        assertEquals(Waiter.State.WAITING, wb.state());
        assertFalse(wb.grantedOnCall());
        m.unlock(F, A, 0, 0);
        assertTrue(first.await(5, TimeUnit.SECONDS));
        assertTrue(wb.isGranted());
        assertEquals(Waiter.State.WAITING, wc.state(), "C conflicts with the granted B");
        assertEquals(List.of("WRITE 0+10"), held(B));
        m.unlock(F, B, 0, 10);
        assertTrue(wc.isGranted());
        assertFalse(wc.cancel(), "a granted waiter cannot be cancelled");
    }

    @Test
    void shouldNotLetALaterReaderOvertakeAQueuedWriter() {
        m.lock(F, A, READ, 0, 10);
        Waiter wb = m.lockWhenFree(F, B, WRITE, 0, 10, () -> { });
        Waiter wc = m.lockWhenFree(F, C, READ, 0, 10, () -> { });
        assertEquals(Waiter.State.WAITING, wc.state());
        m.unlock(F, A, 0, 10);
        assertTrue(wb.isGranted());
        assertEquals(Waiter.State.WAITING, wc.state());
    }

    @Test
    void shouldNeverGrantACancelledWaiter() throws Exception {
        m.lock(F, A, WRITE, 0, 10);
        AtomicInteger calls = new AtomicInteger();
        Waiter wb = m.lockWhenFree(F, B, WRITE, 0, 10, calls::incrementAndGet);
        CountDownLatch cGranted = new CountDownLatch(1);
        Waiter wc = m.lockWhenFree(F, C, WRITE, 0, 10, cGranted::countDown);
        assertTrue(wb.cancel());
        assertFalse(wb.cancel());
        m.unlock(F, A, 0, 10);
        assertTrue(cGranted.await(5, TimeUnit.SECONDS));
        assertEquals(Waiter.State.CANCELLED, wb.state());
        assertEquals(0, calls.get());
        assertTrue(wc.isGranted());
        assertEquals(0, m.rangesOf("nlm", "hostB"));
    }

    @Test
    void shouldGrantAtOnceWhenTheRangeIsFree() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        Waiter w = m.lockWhenFree(F, A, WRITE, 0, 10, ran::countDown);
        assertTrue(w.isGranted());
        assertTrue(w.grantedOnCall());
        assertTrue(ran.await(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldLoseNoWakeupUnderConcurrentLockAndUnlock() throws Exception {
        int owners = 50;
        CountDownLatch all = new CountDownLatch(owners);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlap = new AtomicInteger();
        for (int i = 0; i < owners; i++) {
            LockOwner o = owner("smb", "s" + i, "o");
            Thread.ofVirtual().start(() -> m.lockWhenFree(F, o, WRITE, 0, 0, () -> {
                if (inside.incrementAndGet() != 1) {
                    overlap.incrementAndGet();
                }
                inside.decrementAndGet();
                m.unlock(F, o, 0, 0);
                all.countDown();
            }));
        }
        assertTrue(all.await(10, TimeUnit.SECONDS), "every waiter was woken");
        assertEquals(0, overlap.get());
        assertEquals(0, m.activeFiles());
    }

    @Test
    void shouldRefuseShareReservationsByAccessAndDenyBits() {
        assertTrue(m.reserve(F, A, ACCESS_READ, ACCESS_WRITE).isEmpty());
        assertEquals(Optional.of(new ShareConflict(A, ACCESS_READ, ACCESS_WRITE)),
            m.reserve(F, B, ACCESS_WRITE, 0));
        assertTrue(m.reserve(F, B, ACCESS_READ, 0).isEmpty());
        assertFalse(m.reserve(F, C, ACCESS_READ, ACCESS_READ).isEmpty(), "B already reads");
        assertTrue(m.checkShare(F, null, ACCESS_READ).isEmpty());
        assertFalse(m.checkShare(F, null, ACCESS_WRITE).isEmpty());
        assertTrue(m.reserve(F, A, ACCESS_READ, 0).isEmpty(), "downgrade of A's own deny");
        assertTrue(m.reserve(F, C, ACCESS_WRITE, 0).isEmpty());
        m.release(F, A);
        m.release(F, B);
        m.release(F, C);
        assertEquals(0, m.activeFiles());
    }

    @Test
    void shouldCheckIoAgainstOtherOwnersLocksOnly() {
        m.lock(F, A, READ, 0, 10);
        m.lock(F, B, WRITE, 100, 10);
        assertTrue(m.checkIo(F, C, false, 0, 10).isEmpty(), "reads pass a READ lock");
        assertFalse(m.checkIo(F, C, true, 5, 1).isEmpty(), "writes do not");
        assertFalse(m.checkIo(F, null, false, 105, 100).isEmpty(), "nobody reads under a WRITE lock");
        assertTrue(m.checkIo(F, B, true, 100, 10).isEmpty(), "except its owner");
        assertTrue(m.checkIo(F, C, true, 10, 90).isEmpty());
    }

    @Test
    void shouldCapRangesAndOwnersPerClient() {
        LockManager small = new LockManager(new LockLimits(3, 2));
        for (int i = 0; i < 3; i++) {
            assertTrue(small.lock(F, A, WRITE, i * 10L, 5).isEmpty());
        }
        assertThrows(LockLimitException.class, () -> small.lock(F, A, WRITE, 100, 5));
        assertTrue(small.lock(F, A, WRITE, 5, 5).isEmpty(), "a merge adds no range");
        assertEquals(2, small.rangesOf("nlm", "hostA"));
        assertTrue(small.lock(F, A, WRITE, 100, 5).isEmpty());
        assertThrows(LockLimitException.class, () -> small.lockWhenFree(F, A, WRITE, 200, 1, () -> { }));
        assertTrue(small.lock(F, B, WRITE, 1000, 5).isEmpty(), "another client has its own budget");
        LockOwner a2 = owner("nlm", "hostA", "a2");
        LockOwner a3 = owner("nlm", "hostA", "a3");
        small.releaseAll(A);
        small.lock(F, A, READ, 0, 1);
        small.lock(F, a2, READ, 0, 1);
        assertThrows(LockLimitException.class, () -> small.lock(F, a3, READ, 0, 1));
        assertEquals(2, small.rangesOf("nlm", "hostA"));
    }
}
