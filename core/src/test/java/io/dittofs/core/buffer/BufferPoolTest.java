package io.dittofs.core.buffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BufferPoolTest {
    private BufferPool pool = new BufferPool(2, 2, 1);

    @AfterEach
    void closePool() {
        pool.close();
    }

    @Test
    void shouldPickSmallestSizeClassThatFits() {
        int[][] cases = {
            {0, BufferPool.SMALL}, {1, BufferPool.SMALL}, {BufferPool.SMALL, BufferPool.SMALL},
            {BufferPool.SMALL + 1, BufferPool.MEDIUM}, {BufferPool.MEDIUM, BufferPool.MEDIUM},
            {BufferPool.MEDIUM + 1, BufferPool.LARGE}, {BufferPool.LARGE, BufferPool.LARGE},
        };
        for (int[] c : cases) {
            try (Lease l = pool.acquire(c[0])) {
                assertEquals(c[0], l.segment().byteSize(), "segment is exactly the asked size");
                assertEquals(c[1], l.capacity().byteSize(), "class for " + c[0]);
            }
        }
        assertEquals(BufferPool.LARGE, pool.maxSize());
    }

    @Test
    void shouldRejectSizesOutsideClasses() {
        assertThrows(IllegalArgumentException.class, () -> pool.acquire(BufferPool.LARGE + 1));
        assertThrows(IllegalArgumentException.class, () -> pool.acquire(-1));
    }

    @Test
    void shouldHandOutHugeBuffersWhenThePoolHasThem() {
        try (BufferPool big = new BufferPool(2, 2, 1, 1)) {
            assertEquals(BufferPool.HUGE, big.maxSize());
            try (Lease l = big.acquire(BufferPool.LARGE + 1)) {
                assertEquals(BufferPool.HUGE, l.capacity().byteSize(), "8 MiB class");
            }
            try (Lease l = big.acquire(BufferPool.HUGE)) {
                assertEquals(BufferPool.HUGE, l.segment().byteSize());
            }
            assertEquals(BufferPool.HUGE, big.allocatedBytes());
            assertThrows(IllegalArgumentException.class, () -> big.acquire(BufferPool.HUGE + 1));
        }
    }

    @Test
    void shouldMakeShareWaitWhenItHoldsItsBudgetOfHugeBuffers() throws Exception {
        try (BufferPool big = new BufferPool(2, 2, 1, 2)) {
            BufferPool share = big.share(0, 1, 1, 1);
            assertEquals(BufferPool.HUGE, share.maxSize());
            Lease first = share.acquire(BufferPool.HUGE);
            CompletableFuture<Lease> second = CompletableFuture.supplyAsync(() -> share.acquire(BufferPool.HUGE));
            assertThrows(TimeoutException.class, () -> second.get(200, TimeUnit.MILLISECONDS));
            assertEquals(1, big.available(BufferPool.HUGE), "the pool still has one for others");
            first.close();
            second.get(5, TimeUnit.SECONDS).close();
            share.close();
        }
    }

    @Test
    void shouldReuseReleasedBuffer() {
        long address;
        try (Lease l = pool.acquire(100)) {
            l.segment().set(ValueLayout.JAVA_INT, 0, 42);
            address = l.capacity().address();
        }
        long allocated = pool.allocatedBytes();
        try (Lease l = pool.acquire(200)) {
            assertEquals(address, l.capacity().address());
        }
        assertEquals(allocated, pool.allocatedBytes(), "no new allocation for a reused buffer");
        assertEquals(BufferPool.SMALL, allocated);
    }

    @Test
    void shouldWaitForReleaseWhenClassExhausted() throws Exception {
        Lease first = pool.acquire(BufferPool.LARGE);
        assertEquals(0, pool.available(BufferPool.LARGE));
        CompletableFuture<Lease> waiting = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> waiting.complete(pool.acquire(BufferPool.MEDIUM + 1)));
        assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
        try (Lease other = pool.acquire(10)) {
            assertEquals(10, other.segment().byteSize(), "other classes are not blocked");
        }
        first.close();
        try (Lease second = waiting.get(10, TimeUnit.SECONDS)) {
            assertEquals(first.capacity().address(), second.capacity().address());
        }
        assertEquals(1, pool.available(BufferPool.LARGE));
    }

    @Test
    void shouldIgnoreSecondClose() {
        Lease l = pool.acquire(10);
        assertEquals(1, pool.available(10));
        l.close();
        l.close();
        assertEquals(2, pool.available(10), "a double close must not add a permit");
        try (Lease a = pool.acquire(10); Lease b = pool.acquire(10)) {
            assertFalse(a.capacity().address() == b.capacity().address(), "two holders never share a buffer");
            assertEquals(0, pool.available(10));
        }
    }

    @Test
    void shouldCountAvailableBuffersPerClass() {
        BufferPool defaults = new BufferPool();
        try (defaults) {
            assertEquals(4096, defaults.available(1));
            assertEquals(1024, defaults.available(BufferPool.MEDIUM));
            assertEquals(256, defaults.available(BufferPool.LARGE));
            assertTrue(defaults.allocatedBytes() == 0, "allocation is lazy");
        }
    }

    @Test
    void shouldMakeShareWaitWhenItHoldsItsBudgetOfLargeBuffers() throws Exception {
        pool.close();
        pool = new BufferPool(8, 8, 8);
        BufferPool share = pool.share(2, 2);
        Lease a = share.acquire(BufferPool.LARGE);
        Lease b = share.acquire(BufferPool.MEDIUM + 1);
        assertEquals(0, share.available(BufferPool.LARGE), "the share's budget is used up");
        assertEquals(6, pool.available(BufferPool.LARGE), "the pool still has buffers for others");
        CompletableFuture<Lease> third = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> third.complete(share.acquire(BufferPool.LARGE)));
        assertThrows(TimeoutException.class, () -> third.get(300, TimeUnit.MILLISECONDS));
        assertEquals(6, pool.available(BufferPool.LARGE), "a waiting share takes nothing from the pool");
        try (Lease other = pool.acquire(BufferPool.LARGE); Lease small = share.acquire(10)) {
            assertEquals(BufferPool.LARGE, other.segment().byteSize(), "other owners are not blocked");
            assertEquals(10, small.segment().byteSize(), "the share's other classes are not blocked");
        }
        b.close();
        try (Lease c = third.get(10, TimeUnit.SECONDS)) {
            assertEquals(0, share.available(BufferPool.LARGE));
        }
        a.close();
        assertEquals(2, share.available(BufferPool.LARGE));
        assertEquals(8, pool.available(BufferPool.LARGE));
        share.close();
        try (Lease after = pool.acquire(4)) {
            after.segment().set(ValueLayout.JAVA_INT, 0, 7); // closing a share leaves the pool's memory alone
        }
    }

    @Test
    void shouldCountLeasesAndPoolWaitersButNotThoseWaitingForTheirShareBudget() throws Exception {
        BufferPool share = pool.share(1, 1, 1);
        Lease small = share.acquire(10);
        Lease large = share.acquire(BufferPool.LARGE);
        assertEquals(2, share.leased(), "leases through the share");
        CompletableFuture<Lease> overBudget = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> overBudget.complete(share.acquire(20)));
        assertThrows(TimeoutException.class, () -> overBudget.get(200, TimeUnit.MILLISECONDS));
        assertEquals(0, pool.waiters(), "waiting for its own budget of small buffers is no pool pressure");
        CompletableFuture<Lease> starved = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> starved.complete(pool.acquire(BufferPool.LARGE)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.waiters() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, pool.waiters(), "a thread waits for the pool's only large buffer");
        large.close();
        starved.get(5, TimeUnit.SECONDS).close();
        small.close();
        overBudget.get(5, TimeUnit.SECONDS).close();
        assertEquals(0, share.leased());
        assertEquals(0, pool.waiters());
    }

    @Test
    void shouldFailWaitingAndLaterAcquiresWhenShareClosed() throws Exception {
        BufferPool share = pool.share(1, 1);
        Lease held = share.acquire(BufferPool.LARGE);
        CompletableFuture<Lease> waiting = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                waiting.complete(share.acquire(BufferPool.LARGE));
            } catch (RuntimeException e) {
                waiting.completeExceptionally(e);
            }
        });
        assertThrows(TimeoutException.class, () -> waiting.get(200, TimeUnit.MILLISECONDS));
        share.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof BufferPool.PoolExhaustedException, "waiter fails: " + e.getCause());
        assertThrows(BufferPool.PoolExhaustedException.class, () -> share.acquire(10));
        held.segment().set(ValueLayout.JAVA_INT, 0, 1); // a lease taken before stays usable
        held.close();
        assertEquals(1, pool.available(BufferPool.LARGE), "its buffer went back to the pool");
    }

    @Test
    void shouldServeEarlierWaiterBeforeLaterCallerWhenBufferReleased() throws Exception {
        Lease held = pool.acquire(BufferPool.LARGE);
        AtomicBoolean waiterServed = new AtomicBoolean();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try (Lease l = pool.acquire(BufferPool.LARGE)) {
                waiterServed.set(true);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (waitingFor(waiter) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        held.close();
        // this thread asks right after its own release; a fair pool makes it queue behind the waiter
        try (Lease later = pool.acquire(BufferPool.LARGE)) {
            assertTrue(waiterServed.get(), "the earlier waiter was served first");
        }
        waiter.join(10_000);
    }

    @Test
    void shouldFreeBuffersLeftIdleForAWholeTrimPeriodDownToTheFloor() {
        try (BufferPool trimmed = new BufferPool(32, 8, 4, 0, Duration.ZERO)) {
            Lease[] burst = new Lease[4];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = trimmed.acquire(BufferPool.LARGE);
            }
            MemorySegment[] memory = new MemorySegment[burst.length];
            for (int i = 0; i < burst.length; i++) {
                memory[i] = burst[i].capacity();
                burst[i].close();
            }
            assertEquals(4L * BufferPool.LARGE, trimmed.allocatedBytes());
            trimmed.trim();
            assertEquals(4L * BufferPool.LARGE, trimmed.allocatedBytes(), "all four were leased at once this period");
            trimmed.trim();
            assertEquals(BufferPool.LARGE, trimmed.allocatedBytes(), "idle for a whole period: freed down to one");
            int alive = 0;
            for (MemorySegment m : memory) {
                alive += m.scope().isAlive() ? 1 : 0;
            }
            assertEquals(1, alive, "a freed buffer's arena is closed, so its memory went back");
            try (Lease again = trimmed.acquire(BufferPool.LARGE)) {
                again.segment().set(ValueLayout.JAVA_INT, 0, 1);
                assertEquals(BufferPool.LARGE, trimmed.allocatedBytes(), "the kept buffer is reused");
            }
        }
    }

    @Test
    void shouldNeverFreeALeasedBufferWhenTrimmed() {
        try (BufferPool trimmed = new BufferPool(32, 8, 4, 0, Duration.ZERO)) {
            Lease a = trimmed.acquire(BufferPool.LARGE);
            Lease b = trimmed.acquire(BufferPool.LARGE);
            trimmed.trim();
            trimmed.trim();
            trimmed.trim();
            a.segment().set(ValueLayout.JAVA_INT, 0, 7);
            b.segment().set(ValueLayout.JAVA_INT, 0, 8);
            assertEquals(2L * BufferPool.LARGE, trimmed.allocatedBytes());
            a.close();
            b.close();
            trimmed.trim(); // both were out during this period
            assertEquals(2L * BufferPool.LARGE, trimmed.allocatedBytes());
            trimmed.trim();
            assertEquals(BufferPool.LARGE, trimmed.allocatedBytes());
        }
    }

    @Test
    void shouldTrimByItselfEveryInterval() throws Exception {
        try (BufferPool trimmed = new BufferPool(32, 8, 4, 0, Duration.ofMillis(20))) {
            Lease a = trimmed.acquire(BufferPool.LARGE);
            Lease b = trimmed.acquire(BufferPool.LARGE);
            a.close();
            b.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (trimmed.allocatedBytes() > BufferPool.LARGE && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(BufferPool.LARGE, trimmed.allocatedBytes());
        }
    }

    @Test
    void shouldFreeBuffersWhenPoolClosedAndALeaseWhenItClosesAfterThePool() {
        BufferPool closing = new BufferPool(4, 4, 4, 0, Duration.ZERO);
        Lease held = closing.acquire(BufferPool.LARGE);
        MemorySegment idle;
        try (Lease l = closing.acquire(BufferPool.MEDIUM)) {
            idle = l.capacity();
        }
        closing.close();
        assertFalse(idle.scope().isAlive(), "a free buffer is freed by close");
        held.segment().set(ValueLayout.JAVA_INT, 0, 3); // still usable until its lease closes
        MemorySegment heldMemory = held.capacity();
        held.close();
        assertFalse(heldMemory.scope().isAlive());
        assertEquals(0, closing.allocatedBytes());
    }

    /** True until {@code t} is parked (waiting for a buffer). */
    private static boolean waitingFor(Thread t) {
        return t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING;
    }
}
