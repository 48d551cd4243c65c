package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.dittofs.protocols.XdrArgs.xdr;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The COMPOUND framework rules (RFC 8881 section 16.2), driven in process. */
class CompoundProcessorTest {
    private Nfs4TestClient client;

    @BeforeEach
    void setUp() {
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false),
                false, 65534, 65534));
        client = Nfs4TestClient.inProcess(new Nfs4Program(statelessOps(), Nfs4Services.of(shares, null, 42L)));
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void shouldReturnPseudoRootHandleWhenPutrootfhThenGetfh() {
        Nfs4TestClient.Reply r = client.compound(0, "hello").putrootfh().getfh().send();
        assertEquals(Nfs4Status.OK, r.status());
        assertEquals("hello", r.tag());
        assertEquals(2, r.count());
        r.ok(OP_PUTROOTFH).ok(OP_GETFH);
        assertTrue(Nfs4Handle.decode(MemorySegment.ofArray(r.fh())).isPseudo());
    }

    @Test
    void shouldAnswerMinorVersMismatchWithNoResultsWhenMinorVersionIs3() {
        Nfs4TestClient.Reply r = client.compound(3, "t").putrootfh().send();
        assertEquals(Nfs4Status.MINOR_VERS_MISMATCH, r.status());
        assertEquals("t", r.tag());
        assertEquals(0, r.count());
    }

    @Test
    void shouldAnswerOpIllegalWhenOpnumIsUnknown() {
        Nfs4TestClient.Reply r = client.compound(0).putrootfh().op(9999).getfh().send();
        assertEquals(Nfs4Status.OP_ILLEGAL, r.status());
        assertEquals(2, r.count());
        r.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.OP_ILLEGAL, r.next(OP_ILLEGAL));
    }

    @Test
    void shouldAnswerOpIllegalWhen41OpIsSentIn40() {
        Nfs4TestClient.Reply r = client.compound(0).op(OP_SEQUENCE).send();
        assertEquals(Nfs4Status.OP_ILLEGAL, r.next(OP_ILLEGAL));
    }

    @Test
    void shouldAnswerNofilehandleWhenGetfhHasNoCurrentFh() {
        Nfs4TestClient.Reply r = client.compound(0).getfh().send();
        assertEquals(Nfs4Status.NOFILEHANDLE, r.status());
        assertEquals(Nfs4Status.NOFILEHANDLE, r.next(OP_GETFH));
    }

    @Test
    void shouldRefuseTenThousandOpsWithoutRunningThemWhenCountOverCap() {
        Nfs4TestClient.Compound c = client.compound(0);
        for (int i = 0; i < 10_000; i++) {
            c.putrootfh();
        }
        Nfs4TestClient.Reply r = c.send();
        assertEquals(Nfs4Status.RESOURCE, r.status());
        assertEquals(0, r.count());
        Nfs4TestClient.Compound c1 = client.compound(1);
        for (int i = 0; i < 10_000; i++) {
            c1.putrootfh();
        }
        assertEquals(Nfs4Status.TOO_MANY_OPS, c1.send().status());
    }

    @Test
    void shouldRefuseClaimedHugeOpCountWhenOnlyHeaderIsSent() {
        Nfs4TestClient.Reply r = client.send(xdr().string("").int32(1).int32(Integer.MAX_VALUE).build());
        assertEquals(Nfs4Status.TOO_MANY_OPS, r.status());
        assertEquals(0, r.count());
    }

    @Test
    void shouldAnswerOpNotInSessionWhen41CompoundDoesNotStartWithSequence() {
        Nfs4TestClient.Reply r = client.compound(1).putrootfh().getfh().send();
        assertEquals(Nfs4Status.OP_NOT_IN_SESSION, r.status());
        assertEquals(1, r.count());
        assertEquals(Nfs4Status.OP_NOT_IN_SESSION, r.next(OP_PUTROOTFH));
    }

    /** A stand-in SEQUENCE: binds a slot that records the cached reply; arg 1 asks for a replay of it. */
    private static final class FakeSequence implements Nfs4Op, SlotRef {
        byte[] cached;

        @Override
        public int opnum() {
            return OP_SEQUENCE;
        }

        @Override
        public int minMinor() {
            return 1;
        }

        @Override
        public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
            if (args.readInt() == 1) {
                ctx.replay(MemorySegment.ofArray(cached));
                return;
            }
            ctx.bindSlot(this);
            res.writeInt(Nfs4Status.OK);
        }

        @Override
        public void cacheReply(MemorySegment whole) {
            cached = whole.toArray(ValueLayout.JAVA_BYTE);
        }

        @Override
        public boolean cacheThis() {
            return true;
        }
    }

    /** The framework's ops without the state layer's (this test registers its own SEQUENCE). */
    private static Nfs4Ops statelessOps() {
        Nfs4Ops ops = new Nfs4Ops();
        io.dittofs.protocols.nfs.v4.ops.StatelessOps.registerAll(ops);
        return ops;
    }

    private Nfs4TestClient withSequence(FakeSequence seq) {
        Nfs4Ops ops = statelessOps();
        ops.register(seq);
        return Nfs4TestClient.inProcess(new Nfs4Program(ops, client.program().services()));
    }

    @Test
    void shouldAnswerSequencePosWhenSequenceIsNotFirst() {
        FakeSequence seq = new FakeSequence();
        try (Nfs4TestClient c = withSequence(seq)) {
            Nfs4TestClient.Reply r = c.compound(1).op(OP_SEQUENCE, a -> a.int32(0)).putrootfh()
                    .op(OP_SEQUENCE, a -> a.int32(0)).send();
            assertEquals(Nfs4Status.SEQUENCE_POS, r.status());
            r.ok(OP_SEQUENCE).ok(OP_PUTROOTFH);
            assertEquals(Nfs4Status.SEQUENCE_POS, r.next(OP_SEQUENCE));
        }
    }

    @Test
    void shouldAnswerNotOnlyOpWhenSessionlessOpIsNotAlone() {
        Nfs4TestClient.Reply r = client.compound(1).op(OP_EXCHANGE_ID).putrootfh().send();
        assertEquals(Nfs4Status.NOT_ONLY_OP, r.next(OP_EXCHANGE_ID));
        Nfs4TestClient.Reply alone = client.compound(1).op(OP_EXCHANGE_ID).send();
        assertEquals(Nfs4Status.NOTSUPP, alone.next(OP_EXCHANGE_ID), "allowed alone; not registered here");
    }

    @Test
    void shouldCacheWholeReplyAndResendItVerbatimWhenSequenceReplays() {
        FakeSequence seq = new FakeSequence();
        try (Nfs4TestClient c = withSequence(seq)) {
            Nfs4TestClient.Reply first = c.compound(1, "a").op(OP_SEQUENCE, a -> a.int32(0)).putrootfh().getfh().send();
            first.ok(OP_SEQUENCE).ok(OP_PUTROOTFH).ok(OP_GETFH);
            byte[] fh = first.fh();
            Nfs4TestClient.Reply again = c.compound(1, "b").op(OP_SEQUENCE, a -> a.int32(1)).send();
            assertEquals("a", again.tag(), "the cached reply, not a new one");
            assertEquals(3, again.count());
            again.ok(OP_SEQUENCE).ok(OP_PUTROOTFH).ok(OP_GETFH);
            assertArrayEquals(fh, again.fh());
        }
    }

    @Test
    void shouldAnswerNotsuppWhen40OnlyOpIsSentIn41() {
        FakeSequence seq = new FakeSequence();
        try (Nfs4TestClient c = withSequence(seq)) {
            Nfs4Ops ops = statelessOps();
            ops.register(seq);
            ops.register(new Nfs4Op() {
                @Override
                public int opnum() {
                    return OP_RENEW;
                }

                @Override
                public int maxMinor() {
                    return 0;
                }

                @Override
                public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
                    res.writeInt(Nfs4Status.OK);
                }
            });
            try (Nfs4TestClient c2 = Nfs4TestClient.inProcess(new Nfs4Program(ops, client.program().services()))) {
                Nfs4TestClient.Reply r = c2.compound(1).op(OP_SEQUENCE, a -> a.int32(0)).op(OP_RENEW).send();
                r.ok(OP_SEQUENCE);
                assertEquals(Nfs4Status.NOTSUPP, r.next(OP_RENEW));
                c2.compound(0).op(OP_RENEW).send().ok(OP_RENEW);
            }
        }
    }

    @Test
    void shouldAnswerServerfaultAndStillCacheTheSlotsReplyWhenAnOpThrows() {
        FakeSequence seq = new FakeSequence();
        try (Nfs4TestClient c = withSequence(seq)) {
            Nfs4Ops ops = statelessOps();
            ops.register(seq);
            ops.register(new Nfs4Op() {
                @Override
                public int opnum() {
                    return OP_RENEW;
                }

                @Override
                public int maxMinor() {
                    return 2;
                }

                @Override
                public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
                    throw new IllegalStateException("a bug in an op");
                }
            });
            try (Nfs4TestClient c2 = Nfs4TestClient.inProcess(new Nfs4Program(ops, client.program().services()))) {
                Nfs4TestClient.Reply r = c2.compound(1).op(OP_SEQUENCE, a -> a.int32(0)).op(OP_RENEW).send();
                r.ok(OP_SEQUENCE);
                assertEquals(Nfs4Status.SERVERFAULT, r.next(OP_RENEW));
                assertEquals(Nfs4Status.SERVERFAULT, r.status());
                assertNotNull(seq.cached, "the slot got the reply, so it is free for the next request");
            }
        }
    }

    @Test
    void shouldAnswerInvalWhenTagIsTooLongOrNotUtf8() {
        String longTag = "x".repeat(CompoundProcessor.MAX_TAG + 1);
        Nfs4TestClient.Reply r = client.compound(0, longTag).putrootfh().send();
        assertEquals(Nfs4Status.INVAL, r.status());
        assertEquals(0, r.count());
        byte[] bad = {(byte) 0xC3, (byte) 0x28};
        Nfs4TestClient.Reply r2 = client.send(xdr().opaque(bad).int32(0).int32(1).int32(OP_PUTROOTFH).build());
        assertEquals(Nfs4Status.INVAL, r2.status());
        assertEquals(0, r2.count());
    }

    @Test
    void shouldAnswerBadxdrWhenOpArgumentsAreTruncated() {
        byte[] args = xdr().string("").int32(0).int32(2).int32(OP_PUTROOTFH).int32(OP_PUTFH).int32(100).build();
        Nfs4TestClient.Reply r = client.send(args);
        assertEquals(Nfs4Status.BADXDR, r.status());
        r.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.BADXDR, r.next(OP_PUTFH));
    }

    @Test
    void shouldAnswerBadxdrWhenFewerOpsThanCountedAreSent() {
        byte[] args = xdr().string("").int32(0).int32(3).int32(OP_PUTROOTFH).build();
        Nfs4TestClient.Reply r = client.send(args);
        assertEquals(Nfs4Status.BADXDR, r.status());
        assertEquals(2, r.count());
    }

    @Test
    void shouldBeGarbageWhenHeaderIsTruncated() {
        assertTrue(client.send(xdr().int32(5000).build()).garbage());
        assertTrue(client.send(xdr().string("ab").build()).garbage());
    }
}
