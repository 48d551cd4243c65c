package io.dittofs.storage.block.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupSyncTest {

    @Test
    void shouldRunOneForceForCallersArrivingWhileItRuns() throws Exception {
        GroupSync g = new GroupSync(false);
        long target = g.changed();
        AtomicInteger forces = new AtomicInteger();
        CountDownLatch inForce = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> leader = ex.submit(() -> {
                g.await(target, () -> {
                    forces.incrementAndGet();
                    inForce.countDown();
                    awaitQuietly(release);
                });
                return null;
            });
            inForce.await();
            List<Future<?>> followers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                followers.add(ex.submit(() -> {
                    g.await(target, forces::incrementAndGet);
                    return null;
                }));
            }
            Thread.sleep(50);
            followers.forEach(f -> assertFalse(f.isDone(), "a covered caller waits for the running force"));
            release.countDown();
            leader.get();
            for (Future<?> f : followers) {
                f.get();
            }
        }
        assertEquals(1, forces.get());
    }

    @Test
    void shouldForceAgainForAChangeMadeWhileAForceRuns() throws Exception {
        GroupSync g = new GroupSync(false);
        long first = g.changed();
        AtomicInteger forces = new AtomicInteger();
        CountDownLatch inForce = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> leader = ex.submit(() -> {
                g.await(first, () -> {
                    forces.incrementAndGet();
                    inForce.countDown();
                    awaitQuietly(release);
                });
                return null;
            });
            inForce.await();
            long second = g.changed(); // completed after the running force began: not covered by it
            Future<?> late = ex.submit(() -> {
                g.await(second, forces::incrementAndGet);
                return null;
            });
            release.countDown();
            leader.get();
            late.get();
        }
        assertEquals(2, forces.get());
        assertFalse(g.dirty());
    }

    @Test
    void shouldSkipTheForceWhenNothingChanged() throws Exception {
        GroupSync g = new GroupSync(false);
        AtomicInteger forces = new AtomicInteger();
        g.await(g.current(), forces::incrementAndGet);
        assertEquals(0, forces.get());
        GroupSync inherited = new GroupSync(true);
        inherited.await(inherited.current(), forces::incrementAndGet);
        assertEquals(1, forces.get(), "a file reopened with unforced changes is forced");
    }

    private static void awaitQuietly(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
