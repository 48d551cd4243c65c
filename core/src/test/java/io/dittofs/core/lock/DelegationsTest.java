package io.dittofs.core.lock;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The protocol-neutral table of read delegations/leases every protocol consults before a change. */
class DelegationsTest {
    private static final FileKey F = new FileKey(1, 10);
    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<Delegations.Grant> recalled = new ArrayList<>();
    private final Delegations d = new Delegations(clock::get, 3, 2);

    @Test
    void shouldRecallOtherHoldersOnceAndAnswerJukeboxUntilTheyReturn() {
        Delegations.Grant g = d.grant(F, "nfs4", "a", recalled::add);
        assertNotNull(g);
        assertDoesNotThrow(() -> d.breakFor(F, "nfs4", "a"), "the holder's own change");
        assertDoesNotThrow(() -> d.breakFor(new FileKey(1, 11), null, null), "another file");
        FsException e = assertThrows(FsException.class, () -> d.breakFor(F, "nfs4", "b"));
        assertEquals(FsError.JUKEBOX, e.error());
        assertThrows(FsException.class, () -> d.breakFor(F, null, null));
        assertEquals(List.of(g), recalled, "recalled once");
        assertNull(d.grant(F, "nfs4", "c", recalled::add), "no grant while a recall is in flight");
        d.release(g);
        assertDoesNotThrow(() -> d.breakFor(F, null, null));
        assertEquals(0, d.count());
    }

    @Test
    void shouldRevokeGrantsNotReturnedWithinTheLimit() {
        Delegations.Grant g = d.grant(F, "nfs4", "a", recalled::add);
        assertThrows(FsException.class, () -> d.breakFor(F, "smb", null));
        clock.addAndGet(500);
        assertEquals(List.of(), d.overdue(1_000));
        clock.addAndGet(600);
        assertEquals(List.of(g), d.overdue(1_000));
        assertDoesNotThrow(() -> d.breakFor(F, "smb", null));
    }

    @Test
    void shouldBoundGrantsPerClientAndInTotal() {
        assertNotNull(d.grant(new FileKey(1, 1), "nfs4", "a", recalled::add));
        assertNotNull(d.grant(new FileKey(1, 2), "nfs4", "a", recalled::add));
        assertNull(d.grant(new FileKey(1, 3), "nfs4", "a", recalled::add), "per client");
        assertNotNull(d.grant(new FileKey(1, 3), "nfs4", "b", recalled::add));
        assertNull(d.grant(new FileKey(1, 4), "nfs4", "c", recalled::add), "in total");
        assertEquals(3, d.count());
        assertEquals(2, d.count("nfs4", "a"));
    }

    @Test
    @Timeout(10)
    void shouldLetAWaitingChangeGoOnOnceTheHolderReturns() throws Exception {
        Delegations.Grant g = d.grant(F, "nfs4", "a", x -> Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            d.release(x);
        }));
        assertNotNull(g);
        assertDoesNotThrow(() -> d.breakAndWait(F, "smb", null, Duration.ofSeconds(5)));
        d.grant(F, "nfs4", "a", recalled::add);
        FsException e = assertThrows(FsException.class, () -> d.breakAndWait(F, "smb", null, Duration.ofMillis(100)));
        assertEquals(FsError.JUKEBOX, e.error());
    }
}
