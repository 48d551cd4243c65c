package io.dittofs.protocols.nfs.v3;

import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.TestNfsServer;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.nfs.FileHandles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.dittofs.protocols.RpcTestClient.NFS;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NFSv3 over real loopback sockets: handles, AUTH_SYS identity and the duplicate-request cache. */
class Nfs3ProgramTest {
    private static final int OK = 0;
    private static final int ACCES = 13;
    private static final int EXIST = 17;
    private static final int STALE = 70;
    private static final int BADHANDLE = 10001;
    private static final int UNCHECKED = 0;
    private static final int GUARDED = 1;

    private static TestNfsServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = TestNfsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    // ------------------------------------------------------------ request builders and parsers

    /** sattr3 setting only the mode (or nothing, for -1) and the group (or nothing, for -1). */
    private static XdrArgs sattr(XdrArgs a, int mode, int gid) {
        a.bool(mode >= 0);
        if (mode >= 0) {
            a.int32(mode);
        }
        a.bool(false); // uid
        a.bool(gid >= 0);
        if (gid >= 0) {
            a.int32(gid);
        }
        return a.bool(false).int32(0).int32(0); // size, atime, mtime: don't change
    }

    private static byte[] handleArgs(byte[] fh) {
        return xdr().opaque(fh).build();
    }

    private static byte[] createArgs(byte[] dir, String name, int how, int mode) {
        return sattr(xdr().opaque(dir).string(name).int32(how), mode, -1).build();
    }

    private static byte[] mkdirArgs(byte[] dir, String name, int mode) {
        return sattr(xdr().opaque(dir).string(name), mode, -1).build();
    }

    private static byte[] dirOpArgs(byte[] dir, String name) {
        return xdr().opaque(dir).string(name).build();
    }

    private static ByteBuffer results(RpcReply r) {
        assertTrue(r.isSuccess(), () -> "RPC accepted with SUCCESS: " + r);
        return r.body();
    }

    private static int status(RpcReply r) {
        return results(r).getInt(0);
    }

    /** The handle in a successful CREATE/MKDIR reply (post_op_fh3). */
    private static byte[] createdHandle(RpcReply r) {
        ByteBuffer b = results(r).duplicate();
        assertEquals(OK, b.getInt(), "status");
        assertEquals(1, b.getInt(), "handle_follows");
        return XdrArgs.readOpaque(b);
    }

    private static RpcReply call(RpcTestClient c, int proc, Cred cred, byte[] args) throws IOException {
        return c.call(NFS, 3, proc, cred, args);
    }

    /** A directory under the root, created by root, unique to the calling test. */
    private static byte[] mkdirAsRoot(RpcTestClient c, TestInfo info, int mode) throws IOException {
        String name = info.getTestMethod().orElseThrow().getName();
        return createdHandle(call(c, Nfs3Program.MKDIR, Cred.root(), mkdirArgs(server.rootHandle(), name, mode)));
    }

    // ------------------------------------------------------------ file handles

    @Test
    @Timeout(10)
    void shouldReplyBadHandleWhenHandleForged() throws IOException {
        byte[] forged = FileHandles.encode(TestNfsServer.SHARE_ID, 1);
        forged[8] ^= 0x01; // another inode, but the checksum no longer matches
        byte[] zeros = new byte[16];
        try (RpcTestClient c = server.client()) {
            assertEquals(BADHANDLE, status(call(c, Nfs3Program.GETATTR, Cred.root(), handleArgs(forged))));
            assertEquals(BADHANDLE, status(call(c, Nfs3Program.GETATTR, Cred.root(), handleArgs(zeros))));
            assertEquals(BADHANDLE, status(call(c, Nfs3Program.LOOKUP, Cred.root(), dirOpArgs(zeros, "x"))));
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyBadHandleWhenHandleShort() throws IOException {
        byte[] shortHandle = java.util.Arrays.copyOf(server.rootHandle(), 8);
        try (RpcTestClient c = server.client()) {
            assertEquals(BADHANDLE, status(call(c, Nfs3Program.GETATTR, Cred.root(), handleArgs(shortHandle))));
            assertEquals(BADHANDLE, status(call(c, Nfs3Program.GETATTR, Cred.root(), handleArgs(new byte[0]))));
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyStaleWhenFileRemoved(TestInfo info) throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] dir = mkdirAsRoot(c, info, 0755);
            byte[] file = createdHandle(call(c, Nfs3Program.CREATE, Cred.root(), createArgs(dir, "f", GUARDED, 0644)));
            assertEquals(OK, status(call(c, Nfs3Program.GETATTR, Cred.root(), handleArgs(file))));
            assertEquals(OK, status(call(c, Nfs3Program.REMOVE, Cred.root(), dirOpArgs(dir, "f"))));
            assertEquals(STALE, status(call(c, Nfs3Program.GETATTR, Cred.root(), handleArgs(file))));
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyStaleWhenShareUnknown() throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] otherShare = FileHandles.encode(99, 1);
            assertEquals(STALE, status(call(c, Nfs3Program.GETATTR, Cred.root(), handleArgs(otherShare))));
        }
    }

    // ------------------------------------------------------------ AUTH_SYS identity

    @Test
    @Timeout(10)
    void shouldCreateFileOwnedByAuthSysCaller(TestInfo info) throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] dir = mkdirAsRoot(c, info, 0777);
            Cred user = Cred.sys(1000, 1001);
            byte[] file = createdHandle(call(c, Nfs3Program.CREATE, user, createArgs(dir, "mine", GUARDED, 0600)));
            ByteBuffer attrs = results(call(c, Nfs3Program.GETATTR, user, handleArgs(file)));
            assertEquals(OK, attrs.getInt(0), "status");
            assertEquals(1, attrs.getInt(4), "regular file");
            assertEquals(0600, attrs.getInt(8), "mode");
            assertEquals(1000, attrs.getInt(16), "uid");
            assertEquals(1001, attrs.getInt(20), "gid");
        }
    }

    @Test
    @Timeout(10)
    void shouldCheckPermissionsWithAuthSysSupplementaryGids(TestInfo info) throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] dir = mkdirAsRoot(c, info, 0770);
            byte[] chgrp = sattr(xdr().opaque(dir), -1, 500).bool(false).build();
            assertEquals(OK, status(call(c, Nfs3Program.SETATTR, Cred.root(), chgrp)));

            RpcReply outsider = call(c, Nfs3Program.CREATE, Cred.sys(1000, 1000), createArgs(dir, "a", GUARDED, -1));
            assertEquals(ACCES, status(outsider));
            RpcReply member = call(c, Nfs3Program.CREATE, Cred.sys(1000, 1000, 20, 500), createArgs(dir, "a", GUARDED, -1));
            assertEquals(OK, status(member));
        }
    }

    // ------------------------------------------------------------ data path

    private static byte[] writeArgs(byte[] fh, long offset, byte[] data) {
        return xdr().opaque(fh).int64(offset).int32(data.length).int32(2 /* FILE_SYNC */).opaque(data).build();
    }

    /** READ3resok data, checking the status and that count matches the opaque's length. */
    private static byte[] readData(RpcReply r, boolean expectEof) {
        ByteBuffer b = results(r).duplicate();
        assertEquals(OK, b.getInt(), "status");
        assertEquals(1, b.getInt(), "attributes_follow");
        b.position(b.position() + 84);
        int count = b.getInt();
        assertEquals(expectEof ? 1 : 0, b.getInt(), "eof");
        byte[] data = XdrArgs.readOpaque(b);
        assertEquals(count, data.length);
        assertEquals(0, b.remaining());
        return data;
    }

    @Test
    @Timeout(20)
    void shouldReadBackWhatWasWritten(TestInfo info) throws IOException {
        byte[] big = new byte[Nfs3Program.MAX_IO];
        new java.util.Random(7).nextBytes(big);
        try (RpcTestClient c = server.client()) {
            byte[] dir = mkdirAsRoot(c, info, 0755);
            byte[] file = createdHandle(call(c, Nfs3Program.CREATE, Cred.root(), createArgs(dir, "data", GUARDED, 0644)));
            ByteBuffer w = results(call(c, Nfs3Program.WRITE, Cred.root(), writeArgs(file, 0, new byte[] {1, 2, 3, 4, 5})));
            assertEquals(OK, w.getInt(0));
            assertEquals(OK, status(call(c, Nfs3Program.WRITE, Cred.root(), writeArgs(file, 5, big))));

            byte[] head = readData(call(c, Nfs3Program.READ, Cred.root(), xdr().opaque(file).int64(0).int32(7).build()),
                    false);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, big[0], big[1]}, head);
            byte[] all = readData(call(c, Nfs3Program.READ, Cred.root(),
                    xdr().opaque(file).int64(5).int32(Nfs3Program.MAX_IO).build()), true);
            assertArrayEquals(big, all);
            byte[] past = readData(call(c, Nfs3Program.READ, Cred.root(),
                    xdr().opaque(file).int64(10L << 20).int32(100).build()), true);
            assertEquals(0, past.length);
        }
    }

    // ------------------------------------------------------------ duplicate-request cache

    @Test
    @Timeout(10)
    void shouldReplayIdenticalReplyWhenGuardedCreateRetransmitted(TestInfo info) throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] dir = mkdirAsRoot(c, info, 0755);
            byte[] args = createArgs(dir, "once", GUARDED, 0644);
            int xid = RpcTestClient.nextXid();
            RpcReply first = c.callWithXid(xid, NFS, 3, Nfs3Program.CREATE, Cred.root(), args);
            RpcReply again = c.callWithXid(xid, NFS, 3, Nfs3Program.CREATE, Cred.root(), args);
            assertEquals(OK, status(first));
            assertArrayEquals(first.raw(), again.raw(), "the retransmission gets the cached reply");
            // without the cache the same call is EXIST: a new xid shows it
            assertEquals(EXIST, status(call(c, Nfs3Program.CREATE, Cred.root(), args)));
        }
    }

    @Test
    @Timeout(10)
    void shouldReplayReplyWhenRetransmittedOnNewConnection(TestInfo info) throws IOException {
        byte[] dir;
        byte[] args;
        int xid = RpcTestClient.nextXid();
        RpcReply first;
        try (RpcTestClient c = server.client()) {
            dir = mkdirAsRoot(c, info, 0755);
            args = createArgs(dir, "f", UNCHECKED, 0644);
            first = c.callWithXid(xid, NFS, 3, Nfs3Program.CREATE, Cred.root(), args);
            assertEquals(OK, status(first));
        }
        try (RpcTestClient c = server.client()) { // clients reconnect and resend after a lost reply
            assertArrayEquals(first.raw(), c.callWithXid(xid, NFS, 3, Nfs3Program.CREATE, Cred.root(), args).raw());
        }
    }

    @Test
    @Timeout(10)
    void shouldReplaySameOkReplyWhenRemoveRetransmitted(TestInfo info) throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] dir = mkdirAsRoot(c, info, 0755);
            assertEquals(OK, status(call(c, Nfs3Program.CREATE, Cred.root(), createArgs(dir, "gone", GUARDED, 0644))));
            byte[] args = dirOpArgs(dir, "gone");
            int xid = RpcTestClient.nextXid();
            RpcReply first = c.callWithXid(xid, NFS, 3, Nfs3Program.REMOVE, Cred.root(), args);
            RpcReply again = c.callWithXid(xid, NFS, 3, Nfs3Program.REMOVE, Cred.root(), args);
            assertEquals(OK, status(first));
            assertArrayEquals(first.raw(), again.raw());
            assertEquals(2, status(call(c, Nfs3Program.REMOVE, Cred.root(), args)), "NOENT when really run again");
        }
    }

    @Test
    @Timeout(10)
    void shouldExecuteAgainWhenSameXidCarriesOtherArguments(TestInfo info) throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] dir = mkdirAsRoot(c, info, 0755);
            int xid = RpcTestClient.nextXid();
            RpcReply a = c.callWithXid(xid, NFS, 3, Nfs3Program.CREATE, Cred.root(), createArgs(dir, "a", GUARDED, 0644));
            RpcReply b = c.callWithXid(xid, NFS, 3, Nfs3Program.CREATE, Cred.root(), createArgs(dir, "b", GUARDED, 0644));
            assertEquals(OK, status(a));
            assertEquals(OK, status(b));
            assertTrue(!java.util.Arrays.equals(createdHandle(a), createdHandle(b)), "two files were created");
        }
    }
}
