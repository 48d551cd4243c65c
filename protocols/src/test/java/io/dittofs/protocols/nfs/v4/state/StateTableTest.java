package io.dittofs.protocols.nfs.v4.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockType;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateTableTest {
    private final ManualClock clock = new ManualClock();
    private final FileKey file = new FileKey(1, 42);

    private static StateError error(Runnable r) {
        return assertThrows(StateException.class, r::run).error();
    }

    private StateManager manager(StateConfig cfg) {
        return new StateManager(cfg, ClientStore.none(), new LockManager(), clock, 77);
    }

    private static ClientRecord client(StateManager m, String name) {
        var r = m.clients().exchangeId(name.getBytes(), 1, "u", false, 1);
        m.clients().confirmBySession(r.client(), "u");
        return r.client();
    }

    @Test
    void shouldBumpTheSeqidAndAnswerOldAndBadStateids() {
        StateManager m = manager(StateConfig.defaults());
        ClientRecord a = client(m, "a");
        Owner oo = m.states().owner(a, new byte[] {1}, false, 1);
        OpenState o = m.open(oo, file, 1, 0, 1);
        assertEquals(1, o.seqid());
        assertSame(o, m.open(oo, file, 2, 0, 1));
        assertEquals(2, o.seqid());
        assertEquals(3, o.access());
        byte[] other = o.other();
        assertSame(o, m.states().find(2, other, a, 1));
        assertSame(o, m.states().find(0, other, a, 1));
        assertEquals(StateError.OLD_STATEID, error(() -> m.states().find(1, other, a, 1)));
        assertEquals(StateError.BAD_STATEID, error(() -> m.states().find(3, other, a, 1)));
        assertEquals(StateError.OLD_STATEID, error(() -> m.states().find(0, other, a, 0)));
        other[11] ^= 1;
        assertEquals(StateError.BAD_STATEID, error(() -> m.states().find(2, other, a, 1)));
        other[11] ^= 1;
        other[0] ^= 1;
        assertEquals(StateError.STALE_STATEID, error(() -> m.states().find(2, other, a, 1)));
    }

    @Test
    void shouldAnswerBadStateidForAnotherClientsStateid() {
        StateManager m = manager(StateConfig.defaults());
        ClientRecord a = client(m, "a");
        ClientRecord b = client(m, "b");
        OpenState o = m.open(m.states().owner(a, new byte[] {1}, false, 1), file, 1, 0, 1);
        assertEquals(StateError.BAD_STATEID, error(() -> m.states().find(1, o.other(), b, 1)));
    }

    @Test
    void shouldRefuseAConflictingShareAndReleaseItOnClose() {
        StateManager m = manager(StateConfig.defaults());
        ClientRecord a = client(m, "a");
        ClientRecord b = client(m, "b");
        OpenState o = m.open(m.states().owner(a, new byte[] {1}, false, 1), file, 3, 2, 1); // deny write
        Owner bo = m.states().owner(b, new byte[] {1}, false, 1);
        assertEquals(StateError.SHARE_DENIED, error(() -> m.open(bo, file, 2, 0, 1)));
        m.open(bo, file, 1, 0, 1);
        m.close(o);
        assertEquals(StateError.BAD_STATEID, error(() -> m.states().find(0, o.other(), a, 1)));
        m.open(bo, file, 2, 0, 1);
    }

    @Test
    void shouldTakeAnExpiredClientsLockAwayWhenAnotherClientConflicts() {
        StateConfig cfg = StateConfig.withLease(Duration.ofSeconds(10));
        StateManager m = manager(cfg);
        ClientRecord a = client(m, "a");
        ClientRecord b = client(m, "b");
        OpenState oa = m.open(m.states().owner(a, new byte[] {1}, false, 1), file, 3, 0, 1);
        LockState la = m.states().lockState(m.states().owner(a, new byte[] {9}, true, 1), oa, 1);
        assertTrue(m.lock(la, LockType.WRITE, 0, 100, 1).isEmpty());
        OpenState ob = m.open(m.states().owner(b, new byte[] {1}, false, 1), file, 3, 0, 1);
        LockState lb = m.states().lockState(m.states().owner(b, new byte[] {9}, true, 1), ob, 1);
        assertTrue(m.lock(lb, LockType.WRITE, 50, 10, 1).isPresent());
        assertFalse(m.ioAllowed(file, StateTable.lockClientId(b), null, true, 0, 10));
        assertTrue(m.ioAllowed(file, StateTable.lockClientId(a), null, true, 0, 10));
        clock.advance(Duration.ofSeconds(11));
        m.clients().renew(b.clientId());
        assertTrue(m.lock(lb, LockType.WRITE, 50, 10, 1).isEmpty());
        assertTrue(a.gone());
        assertEquals(StateError.BAD_STATEID, error(() -> m.states().find(1, la.other(), null, 0)));
    }

    @Test
    void shouldBoundOpensAndLocksPerClient() {
        StateConfig cfg = new StateConfig(StateConfig.DEFAULT_LEASE, StateConfig.DEFAULT_LEASE,
                StateConfig.DEFAULT_LEASE, 8, 2, 4, 1024, 2, 1, 3);
        StateManager m = manager(cfg);
        ClientRecord a = client(m, "a");
        Owner oo = m.states().owner(a, new byte[] {1}, false, 0);
        OpenState o1 = m.open(oo, new FileKey(1, 1), 1, 0, 0);
        m.open(oo, new FileKey(1, 2), 1, 0, 0);
        assertEquals(StateError.RESOURCE, error(() -> m.open(oo, new FileKey(1, 3), 1, 0, 0)));
        assertEquals(StateError.DELAY, error(() -> m.open(oo, new FileKey(1, 3), 1, 0, 1)));
        Owner lo = m.states().owner(a, new byte[] {2}, true, 0);
        m.states().lockState(lo, o1, 0);
        Owner lo2 = m.states().owner(a, new byte[] {3}, true, 0);
        assertEquals(StateError.RESOURCE, error(() -> m.states().lockState(lo2, o1, 0)));
        assertEquals(StateError.RESOURCE, error(() -> m.states().owner(a, new byte[] {4}, true, 0)));
        m.close(o1);
        m.open(oo, new FileKey(1, 3), 1, 0, 0);
        assertEquals(Set.of(), Set.copyOf(o1.locks()));
    }
}
