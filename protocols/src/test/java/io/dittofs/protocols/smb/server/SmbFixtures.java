package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.SetAttr;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbUsers;
import io.dittofs.protocols.smb.auth.NtAccounts;
import io.dittofs.protocols.smb.crypto.Signer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The set-up the in-process SMB server tests share: a file system on memory stores, the share
 * {@code /export} (id 1) on it, a user table that knows no passwords and maps every user to one
 * identity, a connection that has negotiated a dialect, a session established without SESSION_SETUP
 * and the TREE_CONNECT request to {@code \\x\export}. Each test then sends requests through the real
 * {@link SmbDispatcher} its own way. Stateless; thread-safe.
 */
final class SmbFixtures {
    /** The user every test session runs as: uid and gid 1000. */
    static final AuthContext ALICE = new AuthContext(1000, 1000, new int[0], "test");

    private SmbFixtures() {
    }

    /** A file system on memory stores whose root has mode 01777. */
    static FileSystem memoryFs() {
        return memoryFs(01777);
    }

    /** A file system on memory stores whose root has mode {@code rootMode}. */
    static FileSystem memoryFs(int rootMode) {
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        fs.setattr(AuthContext.ROOT, fs.rootId(), SetAttr.mode(rootMode), -1);
        return fs;
    }

    /** Share {@code /export} (id 1, no root squash, anonymous 65534) on {@code fs} with {@code access}. */
    static ShareRegistry export(FileSystem fs, Share.AccessPolicy access) {
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", fs, false, 65534, 65534, access));
        return shares;
    }

    /** Share {@code /export} that every caller may read and write. */
    static ShareRegistry export(FileSystem fs) {
        return export(fs, Share.AccessPolicy.READ_WRITE);
    }

    /** Users with no NT accounts (no SESSION_SETUP can succeed) who all map to {@code identity}. */
    static SmbUsers users(AuthContext identity) {
        return new SmbUsers() {
            @Override
            public NtAccounts accounts() {
                return (u, d) -> Optional.empty();
            }

            @Override
            public AuthContext identity(String user) {
                return identity;
            }
        };
    }

    /** Marks {@code conn} as negotiated at {@code dialect} (no preauth hash, no signing algorithm). */
    static ConnState negotiated(ConnState conn, int dialect) {
        conn.negotiated(dialect, 0, 0, new byte[16], new int[] {dialect}, 1, 4, 0, null);
        return conn;
    }

    /** A connection from nowhere on {@code services}, negotiated at {@code dialect}. */
    static ConnState connection(io.dittofs.protocols.smb.SmbServices services, int dialect) {
        return negotiated(new ConnState(services, new InetSocketAddress(0), new InetSocketAddress(0)), dialect);
    }

    /** A new session on {@code conn} established as alice ({@code who}); with a signer it must sign. */
    static Session session(ConnState conn, AuthContext who, Signer signer) {
        Session session = conn.newSession();
        session.established("alice", who, false, signer, signer != null);
        return session;
    }

    /**
     * The body of a CREATE (MS-SMB2 2.2.13) of {@code name} with no create contexts, padded to 8
     * bytes and positioned at its end; share access all, file attributes none.
     */
    static ByteBuffer createBody(String name, int access, int disposition, int options, int impersonation) {
        byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer b = ByteBuffer.allocate((56 + Math.max(n.length, 1) + 7) & ~7).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 57).put((byte) 0).put((byte) 0).putInt(impersonation).putLong(0).putLong(0).putInt(access)
                .putInt(0).putInt(7).putInt(disposition).putInt(options).putShort((short) 120)
                .putShort((short) n.length).putInt(0).putInt(0).put(n);
        b.position(b.capacity());
        return b;
    }

    /** {@link #createBody(String, int, int, int, int)} at impersonation level Impersonation (2). */
    static ByteBuffer createBody(String name, int access, int disposition, int options) {
        return createBody(name, access, disposition, options, 2);
    }

    /** The body of a TREE_CONNECT to {@code \\x\export} (MS-SMB2 2.2.9), positioned at its end. */
    static ByteBuffer treeConnect() {
        byte[] path = "\\\\x\\export".getBytes(StandardCharsets.UTF_16LE);
        return ByteBuffer.allocate(8 + path.length).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 9)
                .putShort((short) 0).putShort((short) 72).putShort((short) path.length).put(path);
    }
}
