package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.protocols.XdrArgs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** NFSv4.2 SEEK and READ_PLUS (RFC 7862), available only in minor version 2. */
class Nfs42OpsTest {
    private final Nfs4Fixture f = new Nfs4Fixture();

    @AfterEach
    void tearDown() {
        f.close();
    }

    private byte[] file(byte[] content) {
        FileSystem fs = f.export;
        var c = fs.create(AuthContext.ROOT, fs.rootId(), "f", SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0);
        fs.write(AuthContext.ROOT, c.child().id(), 0, MemorySegment.ofArray(content), Stability.FILE_SYNC);
        return Nfs4Handle.share(1, c.child().id()).encode();
    }

    private Nfs4TestClient.Compound at(byte[] fh) {
        return f.client.compound(2).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh);
    }

    @Test
    void shouldFindDataAtOffsetAndHoleAtEndWhenSeek() {
        byte[] fh = file(new byte[100]);
        Nfs4TestClient.Reply r = at(fh)
                .op(OP_SEEK, a -> Nfs4FileOpsTest.anonymous(a).int64(10).int32(0))
                .op(OP_SEEK, a -> Nfs4FileOpsTest.anonymous(a).int64(10).int32(1))
                .op(OP_SEEK, a -> Nfs4FileOpsTest.anonymous(a).int64(100).int32(0)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_SEEK);
        assertEquals(0, r.int32(), "not eof");
        assertEquals(10L, r.int64());
        r.ok(OP_SEEK);
        assertEquals(1, r.int32(), "the hole at end of file");
        assertEquals(100L, r.int64());
        assertEquals(Nfs4Status.NXIO, r.next(OP_SEEK));
    }

    @Test
    void shouldReturnOneDataSegmentWhenReadPlus() {
        byte[] content = {1, 2, 3, 4, 5, 6, 7};
        byte[] fh = file(content);
        Nfs4TestClient.Reply r = at(fh).op(OP_READ_PLUS, a -> Nfs4FileOpsTest.anonymous(a).int64(2).int32(100))
                .op(OP_READ_PLUS, a -> Nfs4FileOpsTest.anonymous(a).int64(7).int32(100)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_READ_PLUS);
        assertEquals(1, r.int32(), "eof");
        assertEquals(1, r.int32(), "one content");
        assertEquals(0, r.int32(), "NFS4_CONTENT_DATA");
        assertEquals(2L, r.int64());
        assertArrayEquals(new byte[] {3, 4, 5, 6, 7}, XdrArgs.readOpaque(r.body()));
        r.ok(OP_READ_PLUS);
        assertEquals(1, r.int32());
        assertEquals(0, r.int32(), "nothing past end of file");
    }

    @Test
    void shouldAnswerOpIllegalWhenSeekIsSentIn41() {
        byte[] fh = file(new byte[1]);
        Nfs4TestClient.Reply r = f.client.compound(1).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh)
                .op(OP_SEEK, a -> Nfs4FileOpsTest.anonymous(a).int64(0).int32(0)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH);
        assertEquals(Nfs4Status.OP_ILLEGAL, r.status(), "opnum 69 is not defined in 4.1");
    }
}
