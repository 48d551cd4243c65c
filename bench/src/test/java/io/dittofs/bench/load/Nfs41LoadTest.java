package io.dittofs.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.nfs.v4.IdMapper;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every nfsload workload over the NFSv4.1 client against a real DittoFS NFS server (v3 + v4.0-4.2,
 * with NFSv4 state) started in-process on memory stores: 2 connections x 4 slots for about a second
 * each, no errors, operations counted.
 */
@Timeout(120)
class Nfs41LoadTest {
    private static LockManager locks;
    private static StateManager state;
    private static NfsServer server;

    @BeforeAll
    static void start() throws Exception {
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false),
                false, 65534, 65534));
        locks = new LockManager();
        state = StateManager.open(Duration.ofSeconds(90), null, locks);
        server = NfsServer.start("127.0.0.1", 0, -1, shares, MountProgram.MountPolicy.ALLOW_ALL,
                Nfs3Program.CallPolicy.ALLOW_ALL, RpcServer.Options.defaults(), RpcObserver.NONE,
                new NfsServer.Locking(locks, GracePeriod.none(), NfsServer.Locking.CLIENT_PORTMAP_PORT), state,
                IdMapper.NUMERIC);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (state != null) {
            state.close();
        }
    }

    private static NfsLoad.Options options() {
        NfsLoad.Options o = new NfsLoad.Options();
        o.url = "nfs://127.0.0.1/export?version=4.1&nfsport=" + server.nfsPort();
        o.connections = 2;
        o.depth = 4;
        o.seconds = 1;
        o.warmup = 0.2;
        o.fileSize = 4L << 20;
        o.files = 300;
        o.treeWidth = 8;
        o.timeoutMillis = 20_000;
        return o;
    }

    @ParameterizedTest
    @ValueSource(strings = {"seqwrite", "seqread", "randwrite", "randread", "meta", "metatree", "durable", "listdir"})
    void shouldRunWorkloadWithoutErrorsWhenServerSpeaksNfs41(String workload) throws Exception {
        NfsLoad.Result r = NfsLoad.run(workload, options());

        assertEquals(0, r.recorder.errors, () -> workload + ": " + r.recorder.firstErrors);
        assertTrue(r.ops() > 0, () -> workload + ": no " + r.primary + " completed: " + r.summary());
        assertTrue(r.value() > 0, r::summary);
        if (workload.equals("listdir")) {
            assertTrue(r.recorder.items >= r.ops() * 300, r::summary);
        }
        if (workload.startsWith("seq") || workload.startsWith("rand")) {
            assertTrue(r.recorder.bytes > 0 && r.readMax > 0 && r.writeMax > 0, r::summary);
        }
    }
}
