package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareAccess;
import io.dittofs.core.ShareRegistry;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;

/**
 * Shares on memory stores for NFSv4 tests: {@code /export} (id 1, no squash), {@code /a/b} (id 2,
 * root squash to 65534), {@code /secret} (id 3, only uid 1000 may use it), and a client (with a
 * stand-in SEQUENCE so 4.1 compounds run). Not thread-safe.
 */
final class Nfs4Fixture implements AutoCloseable {
    static final long VERIFIER = 0x1122334455667788L;
    final ShareRegistry shares = new ShareRegistry();
    final FileSystem export = memoryFs();
    final FileSystem ab = memoryFs();
    final FileSystem secret = memoryFs();
    final Nfs4Services services;
    final FakeSequenceOp sequence = new FakeSequenceOp();
    final Nfs4TestClient client;

    Nfs4Fixture() {
        shares.add(new Share(1, "/export", export, false, 65534, 65534));
        shares.add(new Share(2, "/a/b", ab, true, 65534, 65534));
        shares.add(new Share(3, "/secret", secret, false, 65534, 65534,
                c -> c.uid() == 1000 ? ShareAccess.READ_WRITE : ShareAccess.NONE));
        services = Nfs4Services.of(shares, null, VERIFIER);
        client = Nfs4TestClient.inProcess(sequence.program(services));
    }

    static FileSystem memoryFs() {
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        fs.setattr(io.dittofs.core.AuthContext.ROOT, fs.rootId(), io.dittofs.core.SetAttr.mode(0777), -1);
        return fs;
    }

    /** A 4.0 compound that starts at {@code /export}. */
    Nfs4TestClient.Compound atExport() {
        return client.compound(0).putrootfh().lookup("export");
    }

    /** A 4.1 compound (stand-in SEQUENCE first) that starts at {@code /export}. */
    Nfs4TestClient.Compound atExport41() {
        return client.compound(1).op(Nfs4Ops.OP_SEQUENCE, a -> a.int32(0)).putrootfh().lookup("export");
    }

    @Override
    public void close() {
        client.close();
    }
}
