package io.dittofs.protocols.smb.dcerpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SrvsvcPipeTest {
    private static final HexFormat HEX = HexFormat.of();
    /** srvsvc 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0 and NDR 8a885d04-1ceb-11c9-9fe8-08002b104860 v2. */
    private static final String SRVSVC = "c84f324b7016d30112785a47bf6ee188" + "03000000";
    private static final String NDR = "045d888aeb1cc9119fe808002b104860" + "02000000";
    private static final String NDR64 = "33057171babe37498319b5dbef9ccc36" + "01000000";
    private static final int IPC = 0x80000003;
    private final List<ShareInfo> shares = new ArrayList<>(List.of(
            new ShareInfo("export", 0, "DittoFS share"), new ShareInfo("IPC$", IPC, "IPC Service")));

    /** BIND with context 0 = srvsvc/NDR64 only (rejected) and context 1 = srvsvc/NDR (accepted). */
    static byte[] bind(int callId) {
        String body = "b810b810" + "00000000" + "02000000"
                + "0000" + "01" + "00" + SRVSVC + NDR64
                + "0100" + "01" + "00" + SRVSVC + NDR;
        return pdu(11, 3, callId, HEX.parseHex(body));
    }

    static byte[] pdu(int type, int flags, int callId, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(16 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 5).put((byte) 0).put((byte) type).put((byte) flags).putInt(0x10);
        b.putShort((short) (16 + body.length)).putShort((short) 0).putInt(callId).put(body);
        return b.array();
    }

    static byte[] request(int callId, int context, int opnum, int flags, byte[] stub) {
        ByteBuffer b = ByteBuffer.allocate(8 + stub.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(stub.length).putShort((short) context).putShort((short) opnum).put(stub);
        return pdu(0, flags, callId, b.array());
    }

    /** NetrShareEnumAll stub as smbclient sends it: server name, level, empty container, resume handle. */
    static byte[] enumAllStub(int level) {
        Stub s = new Stub();
        s.u32(0x20000).string("\\\\127.0.0.1");
        s.u32(level).u32(level).u32(0x20004).u32(0).u32(0);
        s.u32(-1).u32(0x20008).u32(0);
        return s.bytes();
    }

    static byte[] getInfoStub(String name, int level) {
        Stub s = new Stub();
        s.u32(0x20000).string("\\\\127.0.0.1").string(name).u32(level);
        return s.bytes();
    }

    @Test
    void shouldAcknowledgeBindWithNdrAndRejectOtherSyntax() {
        SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
        ByteBuffer ack = le(pipe.transact(bind(1), 4280));
        assertEquals(12, ack.get(2));
        assertEquals(ack.capacity(), ack.getShort(8));
        assertEquals(1, ack.getInt(12));
        int secLen = ack.getShort(24);
        assertEquals("\\PIPE\\srvsvc\0", new String(ack.array(), 26, secLen, StandardCharsets.US_ASCII));
        int results = 26 + secLen;
        results += (4 - results % 4) % 4;
        assertEquals(2, ack.get(results));
        assertEquals(2, ack.getShort(results + 4)); // context 0: provider rejection
        assertEquals(2, ack.getShort(results + 6)); // transfer syntaxes not supported
        assertEquals(0, ack.getShort(results + 28)); // context 1: acceptance
        assertEquals(NDR, HEX.formatHex(ack.array(), results + 32, results + 52));
    }

    @Test
    void shouldEnumerateSharesAtLevel1() {
        SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
        pipe.transact(bind(1), 4280);
        byte[] stub = response(pipe.transact(request(2, 1, 15, 3, enumAllStub(1)), 4280), 2);
        Reader r = new Reader(stub);
        assertEquals(1, r.u32());
        assertEquals(1, r.u32());
        r.ptr();
        assertEquals(2, r.u32());
        r.ptr();
        assertEquals(2, r.u32());
        int[] types = new int[2];
        for (int i = 0; i < 2; i++) {
            r.ptr();
            types[i] = r.u32();
            r.ptr();
        }
        assertEquals(List.of("export", "DittoFS share", "IPC$", "IPC Service"),
                List.of(r.string(), r.string(), r.string(), r.string()));
        assertArrayEquals(new int[] {0, IPC}, types);
        assertEquals(2, r.u32()); // TotalEntries
        r.ptr();
        assertEquals(0, r.u32()); // resume handle
        assertEquals(0, r.u32()); // WERR_OK
        assertEquals(stub.length, r.pos);
    }

    @Test
    void shouldEnumerateSharesAtLevels0And2() {
        SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
        pipe.transact(bind(1), 4280);
        Reader r0 = new Reader(response(pipe.transact(request(2, 1, 15, 3, enumAllStub(0)), 4280), 2));
        r0.u32();
        r0.u32();
        r0.ptr();
        assertEquals(2, r0.u32());
        r0.ptr();
        assertEquals(2, r0.u32());
        r0.ptr();
        r0.ptr();
        assertEquals("export", r0.string());
        assertEquals("IPC$", r0.string());
        Reader r2 = new Reader(response(pipe.transact(request(3, 1, 15, 3, enumAllStub(2)), 4280), 3));
        assertEquals(2, r2.u32());
        r2.u32();
        r2.ptr();
        assertEquals(2, r2.u32());
        r2.ptr();
        assertEquals(2, r2.u32());
        for (int i = 0; i < 2; i++) {
            r2.ptr();
            r2.u32();
            r2.ptr();
            assertEquals(0, r2.u32());
            assertEquals(-1, r2.u32());
            assertEquals(0, r2.u32());
            r2.ptr();
            assertEquals(0, r2.u32()); // null password
        }
        assertEquals(List.of("export", "DittoFS share", "C:\\export"), List.of(r2.string(), r2.string(), r2.string()));
    }

    @Test
    void shouldGetShareInfoAndReportUnknownShare() {
        SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
        pipe.transact(bind(1), 4280);
        Reader r = new Reader(response(pipe.transact(request(2, 1, 16, 3, getInfoStub("EXPORT", 1)), 4280), 2));
        assertEquals(1, r.u32());
        r.ptr();
        r.ptr();
        assertEquals(0, r.u32());
        r.ptr();
        assertEquals("export", r.string());
        assertEquals("DittoFS share", r.string());
        assertEquals(0, r.u32());
        Reader missing = new Reader(response(pipe.transact(request(3, 1, 16, 3, getInfoStub("nope", 1)), 4280), 3));
        assertEquals(1, missing.u32());
        assertEquals(0, missing.u32());
        assertEquals(0x906, missing.u32());
        Reader badLevel = new Reader(response(pipe.transact(request(4, 1, 16, 3, getInfoStub("export", 502)), 4280), 4));
        badLevel.u32();
        badLevel.u32();
        assertEquals(0x7C, badLevel.u32());
    }

    @Test
    void shouldFaultOnUnknownOpnumAndUnboundContext() {
        SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
        assertFault(pipe.transact(request(1, 1, 15, 3, enumAllStub(1)), 4280), SrvsvcPipe.NCA_UNK_IF);
        pipe.transact(bind(2), 4280);
        assertFault(pipe.transact(request(3, 1, 21, 3, new byte[8]), 4280), SrvsvcPipe.NCA_OP_RNG_ERROR);
        assertFault(pipe.transact(request(4, 1, 15, 3, new byte[3]), 4280), SrvsvcPipe.NCA_PROTO_ERROR);
        byte[] hugeName = getInfoStub("export", 1);
        ByteBuffer.wrap(hugeName).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 100_000); // NetName max_count
        assertFault(pipe.transact(request(5, 1, 16, 3, hugeName), 4280), SrvsvcPipe.NCA_PROTO_ERROR);
    }

    @Test
    void shouldReassembleFragmentedRequestAndFragmentLargeResponse() {
        for (int i = 0; i < 300; i++) {
            shares.add(new ShareInfo("share-with-a-long-name-" + i, 0, "comment number " + i));
        }
        SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
        byte[] bind = bind(1);
        for (byte b : bind) {
            pipe.write(new byte[] {b}); // the pipe sees the BIND a byte at a time
        }
        pipe.read(4280);
        byte[] stub = enumAllStub(1);
        pipe.write(request(2, 1, 15, 1, java.util.Arrays.copyOf(stub, 10)));
        pipe.write(request(2, 1, 15, 2, java.util.Arrays.copyOfRange(stub, 10, stub.length)));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int fragments = 0;
        while (pipe.available() > 0) {
            ByteBuffer h = le(pipe.read(16));
            int len = h.getShort(8) & 0xffff;
            assertTrue(len <= 4280);
            byte[] body = pipe.read(len - 16);
            assertEquals(fragments == 0, (h.get(3) & 1) != 0);
            all.write(body, 8, body.length - 8);
            fragments++;
        }
        assertTrue(fragments > 3, "fragments: " + fragments);
        Reader r = new Reader(all.toByteArray());
        r.u32();
        r.u32();
        r.ptr();
        assertEquals(302, r.u32());
    }

    @Test
    void shouldAnswerGarbageWithFaultsAndNeverThrow() {
        Random random = new Random(42);
        byte[][] seeds = {bind(1), request(2, 1, 15, 3, enumAllStub(1)), request(3, 1, 16, 3, getInfoStub("export", 2))};
        for (int i = 0; i < 20_000; i++) {
            SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
            if (random.nextBoolean()) {
                pipe.transact(bind(1), 4280);
            }
            byte[] fuzz = seeds[random.nextInt(seeds.length)].clone();
            for (int f = random.nextInt(8); f >= 0; f--) {
                fuzz[random.nextInt(fuzz.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(3) == 0) {
                fuzz = java.util.Arrays.copyOf(fuzz, random.nextInt(fuzz.length + 1));
            }
            pipe.write(fuzz);
            pipe.read(1 << 20);
        }
        SrvsvcPipe pipe = new SrvsvcPipe(() -> shares);
        assertFault(pipe.transact(HEX.parseHex("0400000b10000000ffff0000aaaaaaaa"), 4280), SrvsvcPipe.NCA_PROTO_ERROR);
        assertEquals(12, pipe.transact(bind(1), 4280)[2], "the pipe recovers after a bad PDU");
    }

    private static void assertFault(byte[] pdu, int status) {
        ByteBuffer b = le(pdu);
        assertEquals(3, b.get(2));
        assertEquals(status, b.getInt(24));
    }

    private static byte[] response(byte[] pdu, int callId) {
        ByteBuffer b = le(pdu);
        assertEquals(2, b.get(2), "PDU type");
        assertEquals(3, b.get(3));
        assertEquals(callId, b.getInt(12));
        assertEquals(pdu.length, b.getShort(8) & 0xffff);
        return java.util.Arrays.copyOfRange(pdu, 24, pdu.length);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Minimal NDR writer for requests. */
    static final class Stub {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Stub u32(int v) {
            while (out.size() % 4 != 0) {
                out.write(0);
            }
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Stub string(String s) {
            byte[] units = (s + "\0").getBytes(StandardCharsets.UTF_16LE);
            u32(units.length / 2).u32(0).u32(units.length / 2);
            out.writeBytes(units);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Minimal NDR reader for responses. */
    static final class Reader {
        private final ByteBuffer b;
        int pos;

        Reader(byte[] bytes) {
            b = le(bytes);
        }

        int u32() {
            pos = (pos + 3) & ~3;
            int v = b.getInt(pos);
            pos += 4;
            return v;
        }

        void ptr() {
            assertTrue(u32() != 0, "null pointer at " + (pos - 4));
        }

        String string() {
            int max = u32();
            assertEquals(0, u32());
            int actual = u32();
            assertEquals(max, actual);
            String s = new String(b.array(), pos, 2 * actual, StandardCharsets.UTF_16LE);
            pos += 2 * actual;
            assertTrue(s.endsWith("\0"));
            return s.substring(0, s.length() - 1);
        }
    }
}
