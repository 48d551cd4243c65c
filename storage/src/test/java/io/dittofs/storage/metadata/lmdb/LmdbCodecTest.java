package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LmdbCodecTest {
    private static final Inode LINK = new Inode(7, FileType.SYMLINK, 0777, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, "ab");

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    @Test
    void shouldEncodeInodeToGoldenBytes() {
        byte[] target = LmdbCodec.utf8(LINK.symlink());
        ByteBuffer v = LmdbCodec.encodeInode(ByteBuffer.allocateDirect(128), LINK, target);
        assertEquals("01" + "04" + "000001ff" + "00000001" + "00000002" + "00000003"
                + "0000000000000004" + "0000000000000005" + "0000000000000006" + "0000000000000008"
                + "0000000000000009" + "000000000000000a" + "000000000000000b" + "00000002" + "6162",
                HexFormat.of().formatHex(bytes(v)));
        assertEquals(LINK, LmdbCodec.decodeInode(7, v));
    }

    @Test
    void shouldEncodeAbsentSymlinkAsMinusOne() {
        Inode file = new Inode(9, FileType.REGULAR, 0644, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, null);
        ByteBuffer v = LmdbCodec.encodeInode(ByteBuffer.allocateDirect(128), file, null);
        assertEquals(LmdbCodec.INODE_FIXED_SIZE, v.remaining());
        assertEquals(-1, v.getInt(LmdbCodec.INODE_FIXED_SIZE - 4));
        assertEquals(file, LmdbCodec.decodeInode(9, v));
    }

    @Test
    void shouldRejectTruncatedOrUnknownInodeValues() {
        byte[] target = LmdbCodec.utf8(LINK.symlink());
        ByteBuffer v = LmdbCodec.encodeInode(ByteBuffer.allocateDirect(128), LINK, target);
        for (int len = 0; len < v.remaining(); len++) {
            ByteBuffer cut = v.duplicate().limit(len);
            assertEquals(FsError.SERVER_FAULT,
                    assertThrows(FsException.class, () -> LmdbCodec.decodeInode(7, cut)).error(), "length " + len);
        }
        ByteBuffer future = v.duplicate();
        future.put(0, (byte) 2);
        assertEquals(FsError.SERVER_FAULT, assertThrows(FsException.class, () -> LmdbCodec.decodeInode(7, future)).error());
    }

    @Test
    void shouldLayOutKeysBigEndian() {
        ByteBuffer k = ByteBuffer.allocateDirect(64);
        assertEquals("0000000000000102" + "78", HexFormat.of().formatHex(bytes(LmdbCodec.entryKey(k, 0x102, new byte[] {'x'}))));
        assertEquals("0000000000000001" + "00000000000000ff", HexFormat.of().formatHex(bytes(LmdbCodec.cookieKey(k, 1, 255))));
        assertEquals("02" + "0000000000000005", HexFormat.of().formatHex(bytes(LmdbCodec.cookieCounterKey(k, 5))));
        ByteBuffer val = LmdbCodec.cookieValue(ByteBuffer.allocateDirect(64), 42, LmdbCodec.utf8("né"));
        assertEquals(new DirEntry("né", 42, 255), LmdbCodec.decodeCookieEntry(LmdbCodec.cookieKey(k, 1, 255), val));
    }
}
