package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.Stability;
import io.dittofs.storage.block.file.FileBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GETATTR {@code space_used} (RFC 8881 section 5.8.2.37) on the local file block store is the
 * disk space the content takes, not the size rounded up: it drops when DEALLOCATE punches a hole
 * (RFC 7862 section 15.4) and a sparse file counts only what was written, as {@code du} shows.
 */
class Nfs4SpaceUsedTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private FileBlockStore blocks;
    private FileSystem fs;
    private Nfs4TestClient client;

    @BeforeEach
    void setUp() {
        blocks = new FileBlockStore(dir.resolve("blocks"));
        fs = new FileSystem(new MemoryMetadataStore(), blocks, false);
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/files", fs, false, 65534, 65534));
        client = Nfs4TestClient.inProcess(new FakeSequenceOp().program(Nfs4Services.of(shares, null, 1L)));
    }

    @AfterEach
    void tearDown() {
        client.close();
        blocks.close();
    }

    private long file(String name, long offset, int len) {
        long id = fs.create(AuthContext.ROOT, fs.rootId(), name, SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0)
                .child().id();
        byte[] data = new byte[len];
        Arrays.fill(data, (byte) 7);
        fs.write(AuthContext.ROOT, id, offset, MemorySegment.ofArray(data), Stability.FILE_SYNC);
        return id;
    }

    private Map<Integer, Object> getattr(long id) {
        Nfs4TestClient.Reply r = client.compound(2).op(OP_SEQUENCE, a -> a.int32(0))
                .putfh(Nfs4Handle.share(1, id).encode()).getattr(Fattr4.SIZE, Fattr4.SPACE_USED).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_GETATTR);
        return Attrs4.read(r.body());
    }

    private static long used(Map<Integer, Object> attrs) {
        return (long) attrs.get(Fattr4.SPACE_USED);
    }

    @Test
    void shouldReportLessSpaceUsedWhenDeallocatePunchesAHole() {
        long id = file("f", 0, 4 * MIB);
        long before = used(getattr(id));
        assertTrue(before >= 4L * MIB, "4 MiB written take at least 4 MiB: " + before);

        Nfs4TestClient.Reply r = client.compound(2).op(OP_SEQUENCE, a -> a.int32(0))
                .putfh(Nfs4Handle.share(1, id).encode())
                .op(OP_DEALLOCATE, a -> Nfs4FileOpsTest.anonymous(a).int64(MIB).int64(2L * MIB)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_DEALLOCATE);

        Map<Integer, Object> after = getattr(id);
        assertEquals(4L * MIB, (long) after.get(Fattr4.SIZE), "the size stays");
        assertTrue(used(after) <= before - 2L * MIB,
                "space_used drops by the 2 MiB punched (the file system must punch holes, as ext4, xfs and tmpfs do): "
                        + before + " -> " + used(after));
    }

    @Test
    void shouldCountOnlyWrittenBlocksWhenFileIsSparse() {
        long id = file("sparse", 64L * MIB, 4096);
        Map<Integer, Object> attrs = getattr(id);
        assertEquals(64L * MIB + 4096, (long) attrs.get(Fattr4.SIZE));
        assertTrue(used(attrs) >= 4096 && used(attrs) < MIB, "one 4 KiB block written: " + used(attrs));
    }
}
