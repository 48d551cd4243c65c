package io.dittofs.protocols.nfs.v4;

import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A stand-in SEQUENCE for framework tests (the real one belongs to the state layer): binds a slot
 * that records the cached reply; an argument of 1 asks for a replay of that reply, 0 runs normally.
 * Not thread-safe.
 */
final class FakeSequenceOp implements Nfs4Op, SlotRef {
    byte[] cached;

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SEQUENCE;
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

    /** A program with the stateless ops plus this SEQUENCE (the state layer's ops have their own SEQUENCE). */
    Nfs4Program program(Nfs4Services services) {
        Nfs4Ops ops = new Nfs4Ops();
        io.dittofs.protocols.nfs.v4.ops.StatelessOps.registerAll(ops);
        ops.register(this);
        return new Nfs4Program(ops, services);
    }
}
