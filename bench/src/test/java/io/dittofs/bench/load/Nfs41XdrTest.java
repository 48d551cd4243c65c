package io.dittofs.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The NFSv4.1 client's XDR: calls as built, replies as decoded, and the bounds on what it reads. */
@Timeout(30)
class Nfs41XdrTest {
    private final Arena arena = Arena.ofConfined();
    private final Nfs41CallBuffer enc = new Nfs41CallBuffer(arena.allocate(8192));

    @AfterEach
    void close() {
        arena.close();
    }

    private static final byte[] SID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void shouldEncodeSequenceLedCompoundWithRecordMarkAndAuthSys() {
        MemorySegment call = new Nfs41Compound(enc).compound(0x10007).sequence(SID, 5, 7, 15)
                .walk("/export/dir").getfh().finish(0);
        XdrDecoder d = new XdrDecoder(call);

        assertEquals(0x8000_0000 | (int) (call.byteSize() - 4), d.readInt());
        assertEquals(0x10007, d.readInt());
        assertEquals(0, d.readInt()); // CALL
        assertEquals(2, d.readInt());
        assertEquals(100003, d.readInt());
        assertEquals(4, d.readInt());
        assertEquals(1, d.readInt()); // COMPOUND
        assertEquals(1, d.readInt()); // AUTH_SYS
        XdrDecoder cred = new XdrDecoder(d.readOpaque(400));
        cred.readInt();
        assertEquals("nfsload", cred.readString(255));
        assertEquals(0, cred.readInt()); // uid 0
        assertEquals(0, cred.readInt());
        assertEquals(0, cred.readLength(16));
        assertEquals(0, d.readInt()); // verifier AUTH_NONE
        assertEquals(0, d.readLength(0));
        assertEquals(0, d.readLength(0)); // tag
        assertEquals(1, d.readInt()); // minor version
        assertEquals(5, d.readInt()); // SEQUENCE PUTROOTFH LOOKUP LOOKUP GETFH
        assertEquals(Nfs41Compound.OP_SEQUENCE, d.readInt());
        assertArrayEquals(SID, d.readOpaqueFixed(16).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(5, d.readInt());
        assertEquals(7, d.readInt());
        assertEquals(15, d.readInt());
        assertFalse(d.readBool());
        assertEquals(Nfs41Compound.OP_PUTROOTFH, d.readInt());
        assertEquals(Nfs41Compound.OP_LOOKUP, d.readInt());
        assertEquals("export", d.readString(16));
        assertEquals(Nfs41Compound.OP_LOOKUP, d.readInt());
        assertEquals("dir", d.readString(16));
        assertEquals(Nfs41Compound.OP_GETFH, d.readInt());
        assertEquals(0, d.remaining());
    }

    @Test
    void shouldCountWriteDataInRecordMarkButNotInBuffer() {
        Nfs41Reply.Stateid s = new Nfs41Reply.Stateid(1, new byte[12]);
        MemorySegment call = new Nfs41Compound(enc).compound(3).write(s, 4096, Nfs41Compound.UNSTABLE, 4097).finish(4100);
        XdrDecoder d = new XdrDecoder(call);

        assertEquals(0x8000_0000 | (int) (call.byteSize() - 4 + 4100), d.readInt());
        d.skip(call.byteSize() - 4 - 4);
        assertEquals(4097, d.readInt()); // the opaque's length is the last thing in the buffer
    }

    /** An RPC reply header (accepted, success) and COMPOUND4res header, then the caller's results. */
    private Nfs41CallBuffer reply(int xid, int status, int results) {
        enc.position(0);
        enc.writeInt(xid).writeInt(1).writeInt(0).writeInt(0).writeInt(0).writeInt(0);
        enc.writeInt(status).writeInt(0).writeInt(results);
        return enc;
    }

    private void sequenceOk() {
        enc.writeInt(Nfs41Compound.OP_SEQUENCE).writeInt(0).writeOpaqueFixed(SID).writeInt(1).writeInt(0).writeInt(3)
                .writeInt(3).writeInt(0);
    }

    @Test
    void shouldDecodeReadReplyAsSliceOfData() {
        reply(9, 0, 3);
        sequenceOk();
        enc.writeInt(Nfs41Compound.OP_PUTFH).writeInt(0);
        enc.writeInt(Nfs41Compound.OP_READ).writeInt(0).writeBool(true).writeOpaque(new byte[] {7, 8, 9});
        Nfs41Reply r = Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 9));
        r.expect(Nfs41Compound.OP_SEQUENCE).sequenceResult();

        MemorySegment data = r.expect(Nfs41Compound.OP_PUTFH).expect(Nfs41Compound.OP_READ).readResult(4);

        assertArrayEquals(new byte[] {7, 8, 9}, data.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void shouldDecodeOpenAndReaddirResults() {
        reply(4, 0, 2);
        enc.writeInt(Nfs41Compound.OP_OPEN).writeInt(0).writeInt(6).writeOpaqueFixed(new byte[12]);
        enc.writeBool(true).writeLong(1).writeLong(2).writeInt(4).writeInt(1).writeInt(0).writeInt(3).writeInt(2)
                .writeBool(false); // OPEN_DELEGATE_NONE_EXT, WND4_RESOURCE, will-signal false
        enc.writeInt(Nfs41Compound.OP_READDIR).writeInt(0).writeLong(0x0102030405060708L);
        for (int i = 0; i < 2; i++) {
            enc.writeBool(true).writeLong(10 + i).writeString("f" + i).writeInt(1).writeInt(2).writeInt(4).writeInt(2);
        }
        enc.writeBool(false).writeBool(true);
        Nfs41Reply r = Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 4));

        assertEquals(6, r.expect(Nfs41Compound.OP_OPEN).openResult().seqid());
        byte[] verifier = new byte[8];
        long[] cookie = {0};
        boolean[] eof = {false};
        assertEquals(2, r.expect(Nfs41Compound.OP_READDIR).readdirResult(verifier, cookie, eof));
        assertEquals(11, cookie[0]);
        assertTrue(eof[0]);
        assertEquals(8, verifier[7]);
    }

    @Test
    void shouldThrowStatusOfFailedOperation() {
        reply(4, Nfs41Exception.NOENT, 2);
        sequenceOk();
        enc.writeInt(Nfs41Compound.OP_LOOKUP).writeInt(Nfs41Exception.NOENT);
        Nfs41Reply r = Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 4));
        r.expect(Nfs41Compound.OP_SEQUENCE).sequenceResult();

        Nfs41Exception e = assertThrows(Nfs41Exception.class, () -> r.expect(Nfs41Compound.OP_LOOKUP));
        assertEquals(Nfs41Exception.NOENT, e.status);
        assertThrows(Nfs41Exception.class, () -> r.expect(Nfs41Compound.OP_GETFH)); // the server stopped there
    }

    @Test
    void shouldRejectOversizedLengths() {
        reply(1, 0, 1);
        enc.writeInt(Nfs41Compound.OP_GETFH).writeInt(0).writeInt(129).writeOpaqueFixed(new byte[132]);
        Nfs41Reply fh = Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 1));
        assertThrows(BadXdrException.class, () -> fh.expect(Nfs41Compound.OP_GETFH).fh());

        reply(2, 0, 1);
        enc.writeInt(Nfs41Compound.OP_READ).writeInt(0).writeBool(false).writeOpaque(new byte[8]);
        Nfs41Reply read = Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 2));
        assertThrows(BadXdrException.class, () -> read.expect(Nfs41Compound.OP_READ).readResult(4));

        reply(3, 0, Nfs41Reply.MAX_OPS + 1);
        assertThrows(BadXdrException.class, () -> Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 3)));

        reply(4, 0, 1);
        enc.writeInt(Nfs41Compound.OP_WRITE).writeInt(0).writeInt(5000).writeInt(0).writeLong(0);
        Nfs41Reply write = Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 4));
        assertThrows(BadXdrException.class, () -> write.expect(Nfs41Compound.OP_WRITE).writeResult(4096));
    }

    @Test
    void shouldRejectTruncatedReplyAndWrongXid() {
        reply(5, 0, 1);
        enc.writeInt(Nfs41Compound.OP_GETFH).writeInt(0).writeInt(32).writeOpaqueFixed(new byte[8]);
        Nfs41Reply r = Nfs41Reply.compound(Nfs41Reply.rpc(enc.written(), 5));
        assertThrows(BadXdrException.class, () -> r.expect(Nfs41Compound.OP_GETFH).fh());
        assertThrows(BadXdrException.class, () -> Nfs41Reply.rpc(enc.written(), 6));
    }

    @Test
    void shouldFailConnectionWhenReplyRecordExceedsSlotBuffer() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Thread peer = Thread.ofVirtual().start(() -> {
                try (SocketChannel s = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(8);
                    while (in.hasRemaining()) {
                        s.read(in);
                    }
                    ByteBuffer out = ByteBuffer.allocate(8).putInt(0x8000_0000 | (64 << 20)).putInt(in.getInt(4)).flip();
                    s.write(out);
                    s.read(ByteBuffer.allocate(4096)); // until the client gives up
                } catch (IOException e) {
                    // the client closed
                }
            });
            try (Nfs41Transport t = new Nfs41Transport("127.0.0.1", port, 1, 8192, 10_000)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.call(0, t.nullCall(0), null));
                assertTrue(e.getMessage().contains("over the 8192-byte buffer"), e.getMessage());
            }
            peer.interrupt();
        }
    }
}
