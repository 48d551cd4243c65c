package io.dittofs.protocols.smb.header;

import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.codec.SmbFormatException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Smb2HeaderTest {
    /** A NEGOTIATE-coded request header as smbclient sends it (MessageId 5, 1 credit requested, session 0x11, tree 7). */
    private static final String GOLDEN = "fe534d42400001000000000000000100000000000000000005000000000000"
            + "00fffe0000070000001100000000000000" + "00000000000000000000000000000000";

    @Test
    void shouldDecodeGoldenBytes() {
        byte[] b = HexFormat.of().parseHex(GOLDEN);
        Smb2Header h = Smb2Header.decode(new SmbDecoder(MemorySegment.ofArray(b)));
        assertEquals(Smb2Command.NEGOTIATE, h.command());
        assertEquals(1, h.creditCharge());
        assertEquals(1, h.credits());
        assertEquals(5, h.messageId());
        assertEquals(0xFEFF, h.processId());
        assertEquals(7, h.treeId());
        assertEquals(0x11, h.sessionId());
    }

    @Test
    void shouldRoundTrip() {
        Smb2Header h = new Smb2Header(2, 0xC0000022, Smb2Command.READ, 31, Smb2Header.FLAG_SERVER_TO_REDIR
                | Smb2Header.FLAG_RELATED, 0x58, 123456789L, 0, 0xFEFF, 9, 0x1234_5678_9ABCL);
        byte[] b = new byte[64];
        h.encode(new SmbEncoder(MemorySegment.ofArray(b)));
        assertEquals(h, Smb2Header.decode(new SmbDecoder(MemorySegment.ofArray(b))));
        Smb2Header async = new Smb2Header(1, 0x103, Smb2Command.WRITE, 1, Smb2Header.FLAG_ASYNC, 0, 7, 42, 0, 0, 3);
        async.encode(new SmbEncoder(MemorySegment.ofArray(b)));
        assertEquals(async, Smb2Header.decode(new SmbDecoder(MemorySegment.ofArray(b))));
    }

    @Test
    void shouldRefuseTruncatedOrForeignHeaders() {
        byte[] b = HexFormat.of().parseHex(GOLDEN);
        for (int n : new int[] {0, 4, 63}) {
            byte[] cut = java.util.Arrays.copyOf(b, n);
            assertThrows(SmbFormatException.class, () -> Smb2Header.decode(new SmbDecoder(MemorySegment.ofArray(cut))));
        }
        byte[] smb1 = b.clone();
        smb1[0] = (byte) 0xFF;
        assertThrows(SmbFormatException.class, () -> Smb2Header.decode(new SmbDecoder(MemorySegment.ofArray(smb1))));
        byte[] size = b.clone();
        size[4] = 0x41;
        assertThrows(SmbFormatException.class, () -> Smb2Header.decode(new SmbDecoder(MemorySegment.ofArray(size))));
    }
}
