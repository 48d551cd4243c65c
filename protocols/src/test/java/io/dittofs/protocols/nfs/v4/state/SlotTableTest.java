package io.dittofs.protocols.nfs.v4.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class SlotTableTest {
    private static StateError error(Runnable r) {
        return assertThrows(StateException.class, r::run).error();
    }

    @Test
    void shouldReplayTheCachedReplyOfARetriedSequenceId() {
        SlotTable t = new SlotTable(4, 1024);
        var exec = assertInstanceOf(Slot.Execute.class, t.begin(2, 3, 1, true));
        assertEquals(StateError.DELAY, error(() -> t.begin(2, 3, 1, true)));
        exec.slot().complete(MemorySegment.ofArray(new byte[] {9, 8, 7}));
        var replay = assertInstanceOf(Slot.Replay.class, t.begin(2, 3, 1, true));
        assertArrayEquals(new byte[] {9, 8, 7}, replay.reply().toArray(ValueLayout.JAVA_BYTE));
        assertInstanceOf(Slot.Execute.class, t.begin(2, 3, 2, false));
    }

    @Test
    void shouldAnswerRetryUncachedWhenTheReplyWasNotCached() {
        SlotTable t = new SlotTable(1, 1024);
        ((Slot.Execute) t.begin(0, 0, 1, false)).slot().complete(MemorySegment.ofArray(new byte[] {1}));
        assertEquals(StateError.RETRY_UNCACHED_REP, error(() -> t.begin(0, 0, 1, false)));
    }

    @Test
    void shouldNotCacheAReplyLargerThanTheNegotiatedCacheSize() {
        SlotTable t = new SlotTable(1, 512);
        ((Slot.Execute) t.begin(0, 0, 1, true)).slot().complete(MemorySegment.ofArray(new byte[600]));
        assertEquals(StateError.RETRY_UNCACHED_REP, error(() -> t.begin(0, 0, 1, true)));
    }

    @Test
    void shouldAnswerMisorderedForASkippedOrOldSequenceId() {
        SlotTable t = new SlotTable(2, 1024);
        assertEquals(StateError.SEQ_MISORDERED, error(() -> t.begin(0, 1, 2, false)));
        ((Slot.Execute) t.begin(0, 1, 1, false)).slot().complete(MemorySegment.ofArray(new byte[1]));
        ((Slot.Execute) t.begin(0, 1, 2, false)).slot().complete(MemorySegment.ofArray(new byte[1]));
        assertEquals(StateError.SEQ_MISORDERED, error(() -> t.begin(0, 1, 1, false)));
        assertEquals(StateError.SEQ_MISORDERED, error(() -> t.begin(0, 1, 4, false)));
    }

    @Test
    void shouldAnswerBadSlotOutsideTheTable() {
        SlotTable t = new SlotTable(2, 1024);
        assertEquals(StateError.BADSLOT, error(() -> t.begin(2, 2, 1, false)));
        assertEquals(StateError.BADSLOT, error(() -> t.begin(-1, 1, 1, false)));
        assertEquals(StateError.BADSLOT, error(() -> t.begin(1, 0, 1, false)));
        assertEquals(1, t.highestSlotId());
    }

    @Test
    void shouldBoundSlotsAndSessionsByTheConfiguration() {
        StateConfig cfg = new StateConfig(StateConfig.DEFAULT_LEASE, StateConfig.DEFAULT_LEASE,
                StateConfig.DEFAULT_LEASE, 4, 2, 8, 1024, 4, 4, 4);
        SessionTable sessions = new SessionTable(cfg);
        ClientTable clients = new ClientTable(cfg, System::nanoTime, 1, ClientStore.none(),
                new GracePeriod(java.util.Set.of(), 0, System::nanoTime), sessions::dropClient);
        ClientRecord c = clients.exchangeId(new byte[] {1}, 1, "u", false, 1).client();
        ChannelAttrs asked = new ChannelAttrs(0, 1 << 30, 1 << 30, 1 << 30, 10_000, 10_000);
        Session s = sessions.create(c, asked, asked, 0, 0, "conn");
        assertEquals(8, s.slots().size());
        assertEquals(1024, s.fore().maxResponseSizeCached());
        assertEquals(ChannelAttrs.MAX_OPS, s.fore().maxOperations());
        sessions.create(c, asked, asked, 0, 0, "conn");
        assertEquals(StateError.DELAY, error(() -> sessions.create(c, asked, asked, 0, 0, "conn")));
        sessions.destroy(s.id());
        assertEquals(StateError.BADSESSION, error(() -> sessions.get(s.id())));
        sessions.create(c, asked, asked, 0, 0, "conn");
        clients.destroy(c);
        assertEquals(0, sessions.count(c));
    }
}
