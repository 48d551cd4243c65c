package io.dittofs.protocols.smb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.smb.auth.NtAccount;
import io.dittofs.protocols.smb.auth.NtAccounts;
import io.dittofs.protocols.smb.server.SmbServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * An in-process SMB server on memory stores serving {@code /export} (SMB name {@code export}) on
 * 127.0.0.1 and an ephemeral port, with one user {@code alice} (password {@code secret}, uid 1000).
 * Thread-safe like the server.
 */
final class TestSmbServer implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "secret";
    /** The NT hash: MD4 of the UTF-16LE password. */
    static final byte[] NT_HASH = ntHash(PASSWORD);

    static byte[] ntHash(String password) {
        byte[] in = password.getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        org.bouncycastle.crypto.digests.MD4Digest md4 = new org.bouncycastle.crypto.digests.MD4Digest();
        md4.update(in, 0, in.length);
        byte[] out = new byte[16];
        md4.doFinal(out, 0);
        return out;
    }

    final BufferPool pool;
    final FileSystem fs;
    final SmbServer server;

    private TestSmbServer(BufferPool pool, FileSystem fs, SmbServer server) {
        this.pool = pool;
        this.fs = fs;
        this.server = server;
    }

    static TestSmbServer start(SmbConfig cfg, SmbServer.Options options) throws IOException {
        return start(cfg, options, 0);
    }

    static TestSmbServer start(SmbConfig cfg, SmbServer.Options options, int port) throws IOException {
        return start(cfg, options, port, new BufferPool(256, 64, 16, 4));
    }

    /** Serves from {@code pool}, which the returned server closes. */
    static TestSmbServer start(SmbConfig cfg, SmbServer.Options options, BufferPool pool) throws IOException {
        return start(cfg, options, 0, pool);
    }

    private static TestSmbServer start(SmbConfig cfg, SmbServer.Options options, int port, BufferPool pool)
            throws IOException {
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        fs.setattr(AuthContext.ROOT, fs.rootId(), io.dittofs.core.SetAttr.mode(01777), -1);
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", fs, false, 65534, 65534));
        SmbUsers users = new SmbUsers() {
            @Override
            public NtAccounts accounts() {
                return (u, d) -> USER.equalsIgnoreCase(u) ? Optional.of(new NtAccount(USER, NT_HASH, true))
                        : Optional.empty();
            }

            @Override
            public AuthContext identity(String user) {
                return new AuthContext(1000, 1000, new int[0], "smb:" + user);
            }
        };
        SmbServer s = SmbServer.start("test-smb", new InetSocketAddress("127.0.0.1", port),
                new SmbServices(cfg, shares, users), pool, options);
        return new TestSmbServer(pool, fs, s);
    }

    static TestSmbServer start() throws IOException {
        return start(SmbConfig.defaults(), SmbServer.Options.defaults());
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        pool.close();
    }
}
