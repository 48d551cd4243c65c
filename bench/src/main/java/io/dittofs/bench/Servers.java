package io.dittofs.bench;

import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;

import java.io.IOException;

/** In-process servers on memory stores (or local files) for benchmarks. */
final class Servers {
    private Servers() {
    }

    static ShareRegistry memoryShares() {
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false),
                false, 65534, 65534));
        return shares;
    }

    /** One share on memory metadata and the in-place local-file block store under {@code dir} (READs by sendfile). */
    static ShareRegistry fileShares(java.nio.file.Path dir) {
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", new FileSystem(new MemoryMetadataStore(),
                new io.dittofs.storage.block.file.FileBlockStore(dir), false), false, 65534, 65534));
        return shares;
    }

    static NfsServer start(ShareRegistry shares) throws IOException {
        return NfsServer.start("127.0.0.1", 0, -1, shares, MountProgram.MountPolicy.ALLOW_ALL, RpcServer.Options.defaults());
    }
}
