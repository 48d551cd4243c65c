package io.dittofs.protocols.nfs;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * NFS file handles of this server: 16 opaque bytes
 * <pre>
 *  0      'D' (0x44)           magic
 *  1      1                    layout version
 *  2..3   share id (u16)
 *  4..11  inode id (u64)
 *  12..15 CRC-32C of bytes 0..11
 * </pre>
 * Handles are stable across restarts (they hold only the share id and the never-reused inode
 * number). A handle of the wrong size, magic, version or checksum is BAD_HANDLE; a well-formed
 * handle whose share or inode no longer exists is STALE. Stateless and thread-safe.
 */
public final class FileHandles {
    public static final int SIZE = 16;
    private static final byte MAGIC = 0x44;
    private static final byte VERSION = 1;

    /** A decoded handle. */
    public record Handle(int shareId, long inode) {
    }

    private FileHandles() {
    }

    public static byte[] encode(int shareId, long inode) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(MAGIC).put(VERSION).putShort((short) shareId).putLong(inode);
        b.putInt(crc(b.array()));
        return b.array();
    }

    public static Handle decode(MemorySegment fh) {
        if (fh.byteSize() != SIZE) {
            throw new FsException(FsError.BAD_HANDLE, "handle of " + fh.byteSize() + " bytes");
        }
        byte[] a = fh.toArray(ValueLayout.JAVA_BYTE);
        ByteBuffer b = ByteBuffer.wrap(a);
        if (b.get() != MAGIC || b.get() != VERSION) {
            throw new FsException(FsError.BAD_HANDLE, "not a DittoFS handle");
        }
        int share = b.getShort() & 0xFFFF;
        long inode = b.getLong();
        if (b.getInt() != crc(a)) {
            throw new FsException(FsError.BAD_HANDLE, "handle checksum mismatch");
        }
        return new Handle(share, inode);
    }

    private static int crc(byte[] a) {
        CRC32C c = new CRC32C();
        c.update(a, 0, 12);
        return (int) c.getValue();
    }
}
