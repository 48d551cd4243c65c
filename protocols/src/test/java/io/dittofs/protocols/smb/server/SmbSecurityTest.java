package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static io.dittofs.protocols.smb.server.SmbTestConn.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Security descriptors over SMB mapped to and from uid, gid and mode (QUERY_INFO, SET_INFO, SecD). */
class SmbSecurityTest {
    private static final int SECURITY = 3;
    private static final int OWNER = 1;
    private static final int GROUP = 2;
    private static final int DACL = 4;
    private static final int WRITE_DAC = 0x4_0000;
    private static final int READ_CONTROL = 0x2_0000;
    private FileSystem fs;
    private SmbTestConn c;

    @BeforeEach
    void setUp() {
        fs = memoryFs();
        c = new SmbTestConn(server(fs, new LockManager()));
    }

    /** S-1-authority-subs as bytes. */
    static byte[] sid(int authority, long... subs) {
        ByteBuffer b = body(8 + 4 * subs.length);
        b.put((byte) 1).put((byte) subs.length).put(new byte[5]).put((byte) authority);
        for (long s : subs) {
            b.putInt((int) s);
        }
        return b.array();
    }

    static byte[] ace(int type, int mask, byte[] sid) {
        return body(8 + sid.length).put((byte) type).put((byte) 0).putShort((short) (8 + sid.length)).putInt(mask)
                .put(sid).array();
    }

    /** A self-relative descriptor with owner, group and a DACL of the given ACEs. */
    static byte[] sd(byte[] owner, byte[] group, byte[]... aces) {
        ByteArrayOutputStream acl = new ByteArrayOutputStream();
        for (byte[] a : aces) {
            acl.writeBytes(a);
        }
        int aclSize = 8 + acl.size();
        ByteBuffer b = body(20 + owner.length + group.length + aclSize);
        b.put((byte) 1).put((byte) 0).putShort((short) 0x8004).putInt(20).putInt(20 + owner.length).putInt(0)
                .putInt(20 + owner.length + group.length).put(owner).put(group);
        b.put((byte) 2).put((byte) 0).putShort((short) aclSize).putShort((short) aces.length).putShort((short) 0)
                .put(acl.toByteArray());
        return b.array();
    }

    private int mode(String name) {
        return fs.lookup(AuthContext.ROOT, fs.rootId(), name).mode() & 07777;
    }

    @Test
    void shouldSetTheModeFromADacl() {
        long f = fid(c.create("f", GENERIC_RW | WRITE_DAC | READ_CONTROL, SHARE_ALL, CREATE, 0));
        byte[] d = sd(sid(22, 1, 1000), sid(22, 2, 1000), ace(0, 0x0012_019F, sid(22, 1, 1000)),
                ace(0, 0x0012_0089, sid(22, 2, 1000)), ace(0, 0x0012_00A0, sid(1, 0)));
        assertEquals(NtStatus.SUCCESS, status(c.setInfo(f, SECURITY, 0, DACL, d)));
        assertEquals(0751, mode("f"), "owner rw + everyone x, group r + x, other x");
        byte[] back = infoBuffer(c.queryInfo(f, SECURITY, 0, OWNER | GROUP | DACL, 4096));
        long f2 = fid(c.create("g", GENERIC_RW | WRITE_DAC, SHARE_ALL, CREATE, 0));
        assertEquals(NtStatus.SUCCESS, status(c.setInfo(f2, SECURITY, 0, DACL, back)));
        assertEquals(0751, mode("g"), "the descriptor the server reports maps back to the same mode");
    }

    @Test
    void shouldTakeANullDaclAsFullAccessAndAnEmptyOneAsNone() {
        long f = fid(c.create("f", GENERIC_RW | WRITE_DAC, SHARE_ALL, CREATE, 0));
        byte[] nullDacl = body(20).put((byte) 1).put((byte) 0).putShort((short) 0x8004).array();
        assertEquals(NtStatus.SUCCESS, status(c.setInfo(f, SECURITY, 0, DACL, nullDacl)));
        assertEquals(0777, mode("f"));
        assertEquals(NtStatus.SUCCESS, status(c.setInfo(f, SECURITY, 0, DACL, sd(sid(22, 1, 1000), sid(22, 2, 1000)))));
        assertEquals(0, mode("f"));
    }

    @Test
    void shouldRefuseASecurityChangeWithoutWriteDac() {
        long f = fid(c.create("f", READ_DATA, SHARE_ALL, OPEN_IF, 0));
        byte[] d = sd(sid(22, 1, 1000), sid(22, 2, 1000), ace(0, 0x1F01FF, sid(1, 0)));
        assertEquals(NtStatus.ACCESS_DENIED, status(c.setInfo(f, SECURITY, 0, DACL, d)));
        assertEquals(0644, mode("f"));
    }

    @Test
    void shouldRefuseToGiveAFileAwayAsAnOrdinaryUser() {
        long f = fid(c.create("f", GENERIC_RW | 0x8_0000, SHARE_ALL, CREATE, 0));
        byte[] d = sd(sid(22, 1, 4242), sid(22, 2, 1000));
        assertEquals(NtStatus.ACCESS_DENIED, status(c.setInfo(f, SECURITY, 0, OWNER, d)));
        assertEquals(1000, fs.lookup(AuthContext.ROOT, fs.rootId(), "f").uid());
    }

    @Test
    void shouldApplyTheSecurityDescriptorCreateContext() {
        byte[] d = sd(sid(22, 1, 1000), sid(22, 2, 1000), ace(0, 0x0012_0089, sid(22, 1, 1000)));
        ByteBuffer r = c.create("secd", GENERIC_RW, SHARE_ALL, CREATE, 0, "SecD", d);
        fid(r);
        assertEquals(0400, mode("secd"));
    }

    @Test
    void shouldAnswerInvalidParameterToMalformedDescriptors() {
        long f = fid(c.create("f", GENERIC_RW | WRITE_DAC | 0x8_0000, SHARE_ALL, CREATE, 0));
        byte[] good = sd(sid(22, 1, 1000), sid(22, 2, 1000), ace(0, 0x1F01FF, sid(22, 1, 1000)));
        byte[] manySubs = good.clone();
        manySubs[21] = 100; // owner SID claims 100 sub-authorities
        byte[] aclOverrun = good.clone();
        ByteBuffer.wrap(aclOverrun).order(ByteOrder.LITTLE_ENDIAN).putShort(20 + 16 + 16 + 2, (short) 0x7FFF);
        byte[] ownerOutside = good.clone();
        ByteBuffer.wrap(ownerOutside).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x7FFF_FFF0);
        for (byte[] bad : new byte[][] {new byte[3], java.util.Arrays.copyOf(good, 30), manySubs, aclOverrun,
                ownerOutside}) {
            assertEquals(NtStatus.INVALID_PARAMETER, status(c.setInfo(f, SECURITY, 0, OWNER | GROUP | DACL, bad)));
        }
        assertEquals(0644, mode("f"), "nothing applied");
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = good.clone();
            for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                junk[rnd.nextInt(junk.length)] = (byte) rnd.nextInt(256);
            }
            int st = status(c.setInfo(f, SECURITY, 0, DACL, junk));
            assertTrue(st == NtStatus.SUCCESS || st == NtStatus.INVALID_PARAMETER, Integer.toHexString(st));
        }
    }

    @Test
    void shouldReportOwnerAndGroupAsUnixSids() {
        long f = fid(c.create("f", GENERIC_RW | READ_CONTROL, SHARE_ALL, CREATE, 0));
        byte[] back = infoBuffer(c.queryInfo(f, SECURITY, 0, OWNER | GROUP, 4096));
        ByteBuffer b = ByteBuffer.wrap(back).order(ByteOrder.LITTLE_ENDIAN);
        byte[] owner = java.util.Arrays.copyOfRange(back, b.getInt(4), b.getInt(4) + 16);
        byte[] group = java.util.Arrays.copyOfRange(back, b.getInt(8), b.getInt(8) + 16);
        assertArrayEquals(sid(22, 1, 1000), owner);
        assertArrayEquals(sid(22, 2, 1000), group);
    }
}
