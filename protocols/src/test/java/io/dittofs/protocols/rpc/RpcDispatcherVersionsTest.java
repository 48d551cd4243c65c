package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two programs with one program number and disjoint version ranges (NFSv3 and NFSv4 on 100003). */
class RpcDispatcherVersionsTest {
    private final BufferPool pool = new BufferPool();
    private final RpcDispatcher dispatcher = new RpcDispatcher(pool, new DuplicateRequestCache(16, 60));

    @AfterEach
    void tearDown() {
        pool.close();
    }

    /** A program answering every call with its own version number. */
    private record Versioned(int low, int high) implements RpcProgram {
        @Override
        public int program() {
            return 100003;
        }

        @Override
        public int lowVersion() {
            return low;
        }

        @Override
        public int highVersion() {
            return high;
        }

        @Override
        public boolean hasProcedure(int version, int proc) {
            return proc == 0;
        }

        @Override
        public boolean nonIdempotent(int version, int proc) {
            return false;
        }

        @Override
        public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
            reply.writeInt(call.version() * 100 + low);
        }

        @Override
        public String name() {
            return "V" + low;
        }
    }

    /** Dispatches a NULL call and returns the reply after the record mark, at the accept_stat. */
    private ByteBuffer call(int version) {
        byte[] rec = xdr().int32(7).int32(0).int32(2).int32(100003).int32(version).int32(0)
                .int32(0).int32(0).int32(0).int32(0).build();
        MemorySegment seg = MemorySegment.ofArray(rec);
        RpcDispatcher.Reply r = (RpcDispatcher.Reply) dispatcher.dispatch(seg, new InetSocketAddress(0));
        try (XdrEncoder e = r.encoder()) {
            ByteBuffer b = ByteBuffer.wrap(e.written().toArray(ValueLayout.JAVA_BYTE));
            b.position(4 + 4 + 4 + 4 + 8); // mark, xid, REPLY, MSG_ACCEPTED, null verifier
            return b;
        }
    }

    @Test
    void shouldRouteEachVersionToItsProgramWhenTwoShareAProgramNumber() {
        dispatcher.register(new Versioned(3, 3));
        dispatcher.register(new Versioned(4, 4));
        ByteBuffer v3 = call(3);
        assertEquals(Rpc.SUCCESS, v3.getInt());
        assertEquals(303, v3.getInt());
        ByteBuffer v4 = call(4);
        assertEquals(Rpc.SUCCESS, v4.getInt());
        assertEquals(404, v4.getInt());
    }

    @Test
    void shouldReportUnionOfRangesWhenVersionIsUnknown() {
        dispatcher.register(new Versioned(3, 3));
        dispatcher.register(new Versioned(4, 4));
        ByteBuffer b = call(5);
        assertEquals(Rpc.PROG_MISMATCH, b.getInt());
        assertEquals(3, b.getInt());
        assertEquals(4, b.getInt());
    }

    @Test
    void shouldReplaceProgramWhenRangesOverlap() {
        dispatcher.register(new Versioned(3, 3));
        dispatcher.register(new Versioned(3, 4));
        ByteBuffer v3 = call(3);
        assertEquals(Rpc.SUCCESS, v3.getInt());
        assertEquals(303, v3.getInt());
        ByteBuffer b = call(2);
        assertEquals(Rpc.PROG_MISMATCH, b.getInt());
        assertEquals(3, b.getInt());
        assertEquals(4, b.getInt());
    }
}
