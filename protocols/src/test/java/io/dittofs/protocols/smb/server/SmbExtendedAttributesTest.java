package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.XattrOps;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SMB extended attributes through the dispatcher on memory stores: FileFullEaInformation in
 * QUERY_INFO and SET_INFO, FileEaInformation's size, the ExtA create context, the access bits,
 * malformed lists, and the one store shared with NFS xattrs (names without {@code user.}, matched
 * ignoring case over SMB).
 */
class SmbExtendedAttributesTest {
    private static final int GENERIC_RW = 0xC000_0000;
    private static final int READ_DATA = 0x1;
    private static final int FULL_EA = 15;
    private static final int EA_INFO = 7;
    private static final AuthContext ALICE = new AuthContext(1000, 1000, new int[0], "test");
    private FileSystem fs;
    private SmbTestConn client;

    @BeforeEach
    void setUp() {
        fs = SmbFixtures.memoryFs(0777);
        client = new SmbTestConn(SmbTestConn.server(fs, new LockManager()));
    }

    private static ByteBuffer body(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer call(int cmd, ByteBuffer b) {
        return client.call(cmd, b);
    }

    /** A CREATE (OPEN_IF) with the given create contexts blob (already chained), or none. */
    private ByteBuffer create(String name, int access, byte[] contexts) {
        byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
        int nameLen = (n.length + 7) & ~7;
        ByteBuffer b = body(56 + nameLen + contexts.length);
        int ctxOff = contexts.length == 0 ? 0 : 64 + 56 + nameLen;
        b.putShort((short) 57).put((byte) 0).put((byte) 0).putInt(2).putLong(0).putLong(0).putInt(access).putInt(0)
                .putInt(7).putInt(3).putInt(0).putShort((short) 120).putShort((short) n.length)
                .putInt(ctxOff).putInt(contexts.length).put(n);
        b.position(56 + nameLen);
        b.put(contexts);
        return call(5, b);
    }

    private static long fid(ByteBuffer createReply) {
        assertEquals(NtStatus.SUCCESS, createReply.getInt(8), "CREATE");
        return createReply.getLong(64 + 72);
    }

    private ByteBuffer setInfo(long fid, int cls, byte[] buf) {
        ByteBuffer b = body(32 + buf.length);
        b.putShort((short) 33).put((byte) 1).put((byte) cls).putInt(buf.length).putShort((short) 96)
                .putShort((short) 0).putInt(0).putLong(fid).putLong(fid).put(buf);
        return call(0x11, b);
    }

    private ByteBuffer queryInfo(long fid, int cls, int outLen, byte[] input, int flags) {
        ByteBuffer b = body(40 + input.length).putShort((short) 41).put((byte) 1).put((byte) cls).putInt(outLen)
                .putShort((short) (input.length == 0 ? 0 : 104)).putShort((short) 0).putInt(input.length).putInt(0)
                .putInt(flags).putLong(fid).putLong(fid).put(input);
        return call(0x10, b);
    }

    /** A FILE_FULL_EA_INFORMATION list, entries padded to 4 bytes. */
    static byte[] eaList(Map<String, byte[]> eas) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Map.Entry<String, byte[]>> list = new ArrayList<>(eas.entrySet());
        for (int i = 0; i < list.size(); i++) {
            byte[] n = list.get(i).getKey().getBytes(StandardCharsets.US_ASCII);
            byte[] v = list.get(i).getValue();
            int size = 8 + n.length + 1 + v.length;
            int padded = (size + 3) & ~3;
            boolean last = i == list.size() - 1;
            ByteBuffer e = body(last ? size : padded);
            e.putInt(last ? 0 : padded).put((byte) 0).put((byte) n.length).putShort((short) v.length).put(n)
                    .put((byte) 0).put(v);
            out.writeBytes(e.array());
        }
        return out.toByteArray();
    }

    /** Parses the FILE_FULL_EA_INFORMATION list of a QUERY_INFO reply. */
    static Map<String, byte[]> parse(ByteBuffer reply) {
        int off = reply.getShort(64 + 2) & 0xFFFF;
        int len = reply.getInt(64 + 4);
        Map<String, byte[]> out = new LinkedHashMap<>();
        int p = off;
        while (true) {
            int next = reply.getInt(p);
            int nl = reply.get(p + 5) & 0xFF;
            int vl = reply.getShort(p + 6) & 0xFFFF;
            byte[] n = new byte[nl];
            reply.get(p + 8, n);
            byte[] v = new byte[vl];
            reply.get(p + 9 + nl, v);
            out.put(new String(n, StandardCharsets.US_ASCII), v);
            assertTrue(p + 9 + nl + vl <= off + len, "entry inside the reported length");
            if (next == 0) {
                return out;
            }
            p += next;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldShowNfsXattrAsSmbEaAndTheReverse() {
        long f = fid(create("both.txt", GENERIC_RW, new byte[0]));
        long id = fs.getattr(fs.lookup(ALICE, fs.rootId(), "both.txt").id()).id();
        fs.xattrs().set(ALICE, id, "foo", bytes("from nfs"), XattrOps.SetMode.EITHER); // setfattr -n user.foo
        Map<String, byte[]> eas = new LinkedHashMap<>();
        eas.put("Bar", bytes("from smb"));
        assertEquals(NtStatus.SUCCESS, setInfo(f, FULL_EA, eaList(eas)).getInt(8));
        ByteBuffer q = queryInfo(f, FULL_EA, 65536, new byte[0], 0);
        assertEquals(NtStatus.SUCCESS, q.getInt(8));
        Map<String, byte[]> got = parse(q);
        assertEquals(List.of("Bar", "foo"), List.copyOf(got.keySet()), "stored case, code-point order");
        assertArrayEquals(bytes("from nfs"), got.get("foo"));
        assertArrayEquals(bytes("from smb"), fs.xattrs().get(ALICE, id, "Bar"), "NFS sees the EA as user.Bar");
    }

    @Test
    void shouldMatchNamesIgnoringCaseAndRemoveOnEmptyValue() {
        long f = fid(create("case.txt", GENERIC_RW, new byte[0]));
        long id = fs.lookup(ALICE, fs.rootId(), "case.txt").id();
        fs.xattrs().set(ALICE, id, "color", bytes("red"), XattrOps.SetMode.EITHER);
        assertEquals(NtStatus.SUCCESS, setInfo(f, FULL_EA, eaList(Map.of("COLOR", bytes("blue")))).getInt(8));
        assertEquals(List.of("color"), fs.xattrs().list(ALICE, id), "replaced in place, the stored name kept");
        assertArrayEquals(bytes("blue"), fs.xattrs().get(ALICE, id, "color"));
        byte[] getEa = body(5 + 5).putInt(0).put((byte) 5).put(bytes("CoLoR")).array();
        Map<String, byte[]> one = parse(queryInfo(f, FULL_EA, 4096, getEa, 0));
        assertArrayEquals(bytes("blue"), one.get("color"), "a query by name ignores case");
        assertEquals(NtStatus.SUCCESS, setInfo(f, FULL_EA, eaList(Map.of("Color", new byte[0]))).getInt(8));
        assertEquals(List.of(), fs.xattrs().list(ALICE, id), "an empty value removes the EA");
        assertEquals(NtStatus.NO_EAS_ON_FILE, queryInfo(f, FULL_EA, 4096, new byte[0], 0).getInt(8));
    }

    @Test
    void shouldReportEaSizeOfTheFullList() {
        long f = fid(create("size.txt", GENERIC_RW, new byte[0]));
        ByteBuffer none = queryInfo(f, EA_INFO, 4096, new byte[0], 0);
        assertEquals(NtStatus.SUCCESS, none.getInt(8));
        assertEquals(0, none.getInt(64 + 8));
        Map<String, byte[]> eas = new LinkedHashMap<>();
        eas.put("a", new byte[3]); // 8 + 1 + 1 + 3 = 13, padded to 16
        eas.put("bb", new byte[5]); // 8 + 2 + 1 + 5 = 16
        assertEquals(NtStatus.SUCCESS, setInfo(f, FULL_EA, eaList(eas)).getInt(8));
        assertEquals(32, queryInfo(f, EA_INFO, 4096, new byte[0], 0).getInt(64 + 8));
    }

    @Test
    void shouldGiveCreatedFileTheEasOfItsExtACreateContext() {
        byte[] data = eaList(Map.of("origin", bytes("windows")));
        ByteBuffer ctx = body(24 + data.length);
        ctx.putInt(0).putShort((short) 16).putShort((short) 4).putShort((short) 0).putShort((short) 24)
                .putInt(data.length).put(bytes("ExtA")).putInt(0).put(data);
        fid(create("exta.txt", GENERIC_RW, ctx.array()));
        long id = fs.lookup(ALICE, fs.rootId(), "exta.txt").id();
        assertArrayEquals(bytes("windows"), fs.xattrs().get(ALICE, id, "origin"));
    }

    @Test
    void shouldRefuseWithoutEaAccessBits() {
        long w = fid(create("acc.txt", GENERIC_RW, new byte[0]));
        assertEquals(NtStatus.SUCCESS, setInfo(w, FULL_EA, eaList(Map.of("k", new byte[] {1}))).getInt(8));
        long r = fid(create("acc.txt", READ_DATA, new byte[0]));
        assertEquals(NtStatus.ACCESS_DENIED, queryInfo(r, FULL_EA, 4096, new byte[0], 0).getInt(8), "no FILE_READ_EA");
        assertEquals(NtStatus.ACCESS_DENIED, setInfo(r, FULL_EA, eaList(Map.of("k", new byte[] {2}))).getInt(8),
                "no FILE_WRITE_EA");
    }

    @Test
    void shouldRejectMalformedEaLists() {
        long f = fid(create("bad.txt", GENERIC_RW, new byte[0]));
        byte[] good = eaList(Map.of("k", new byte[] {1}));
        byte[] lying = good.clone();
        lying[6] = (byte) 0xFF; // EaValueLength past the buffer
        assertEquals(NtStatus.EA_LIST_INCONSISTENT, setInfo(f, FULL_EA, lying).getInt(8));
        byte[] loop = eaList(new LinkedHashMap<>(Map.of("a", new byte[] {1}, "b", new byte[] {2})));
        loop[0] = 1; // NextEntryOffset shorter than the entry
        loop[1] = loop[2] = loop[3] = 0;
        assertEquals(NtStatus.EA_LIST_INCONSISTENT, setInfo(f, FULL_EA, loop).getInt(8));
        assertEquals(NtStatus.INVALID_EA_NAME, setInfo(f, FULL_EA, eaList(Map.of("a:b", new byte[] {1}))).getInt(8));
        assertEquals(NtStatus.EA_LIST_INCONSISTENT, setInfo(f, FULL_EA, new byte[] {0, 0, 0}).getInt(8));
        assertEquals(List.of(), fs.xattrs().list(ALICE, fs.lookup(ALICE, fs.rootId(), "bad.txt").id()));
    }

    @Test
    void shouldReturnWholeEntriesWithBufferOverflowWhenOutputIsShort() {
        long f = fid(create("short.txt", GENERIC_RW, new byte[0]));
        Map<String, byte[]> eas = new LinkedHashMap<>();
        eas.put("a", new byte[3]);
        eas.put("b", new byte[3]);
        assertEquals(NtStatus.SUCCESS, setInfo(f, FULL_EA, eaList(eas)).getInt(8));
        ByteBuffer q = queryInfo(f, FULL_EA, 20, new byte[0], 0);
        assertEquals(NtStatus.BUFFER_OVERFLOW, q.getInt(8));
        assertEquals(List.of("a"), List.copyOf(parse(q).keySet()));
        assertEquals(NtStatus.BUFFER_TOO_SMALL, queryInfo(f, FULL_EA, 8, new byte[0], 0).getInt(8));
        assertEquals(List.of("a"), List.copyOf(parse(queryInfo(f, FULL_EA, 4096, new byte[0], 2)).keySet()),
                "SL_RETURN_SINGLE_ENTRY");
    }

    @Test
    void shouldHideNfsNamesSmbCannotSpell() {
        long f = fid(create("hide.txt", GENERIC_RW, new byte[0]));
        long id = fs.lookup(ALICE, fs.rootId(), "hide.txt").id();
        fs.xattrs().set(ALICE, id, "caf\u00e9", new byte[] {1}, XattrOps.SetMode.EITHER);
        fs.xattrs().set(ALICE, id, "a/b", new byte[] {1}, XattrOps.SetMode.EITHER);
        assertEquals(NtStatus.NO_EAS_ON_FILE, queryInfo(f, FULL_EA, 4096, new byte[0], 0).getInt(8));
        fs.xattrs().set(ALICE, id, "ok", new byte[] {1}, XattrOps.SetMode.EITHER);
        assertEquals(List.of("ok"), List.copyOf(parse(queryInfo(f, FULL_EA, 4096, new byte[0], 0)).keySet()));
    }
}
