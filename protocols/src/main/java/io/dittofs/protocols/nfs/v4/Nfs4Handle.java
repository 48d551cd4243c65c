package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.protocols.nfs.FileHandles;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * An NFSv4 file handle ({@code nfs_fh4}, at most {@link #MAX_SIZE} bytes): either an object in
 * a share or a directory of the {@link PseudoFs pseudo-filesystem}. Share handles are exactly
 * the NFSv3 {@link FileHandles} (so a v3 and a v4 client name an object alike); pseudo handles
 * have their own 16-byte layout
 * <pre>
 *  0      'P' (0x50)           magic
 *  1      1                    layout version
 *  2..3   0                    reserved
 *  4..11  pseudo node id (u64, a hash of the pseudo path)
 *  12..15 CRC-32C of bytes 0..11
 * </pre>
 * Both are stable across restarts. A handle of a wrong size, magic, version or checksum is
 * NFS4ERR_BADHANDLE. Immutable and thread-safe.
 *
 * @param shareId the share, or {@link #PSEUDO} for a pseudo-filesystem directory
 * @param id      the inode in the share, or the pseudo node id
 */
public record Nfs4Handle(int shareId, long id) {
    /** NFS4_FHSIZE (RFC 8881 section 3.2): the largest handle on the wire. */
    public static final int MAX_SIZE = 128;
    public static final int PSEUDO = -1;
    private static final byte PSEUDO_MAGIC = 0x50;
    private static final byte PSEUDO_VERSION = 1;
    private static final int SIZE = 16;

    public static Nfs4Handle share(int shareId, long inode) {
        return new Nfs4Handle(shareId, inode);
    }

    public static Nfs4Handle pseudo(long nodeId) {
        return new Nfs4Handle(PSEUDO, nodeId);
    }

    public boolean isPseudo() {
        return shareId == PSEUDO;
    }

    /** The wire form (a fresh array each call). */
    public byte[] encode() {
        if (!isPseudo()) {
            return FileHandles.encode(shareId, id);
        }
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(PSEUDO_MAGIC).put(PSEUDO_VERSION).putShort((short) 0).putLong(id);
        b.putInt(crc(b.array()));
        return b.array();
    }

    /**
     * Parses a handle a client sent.
     *
     * @throws FsException {@link FsError#BAD_HANDLE} if it is not one this server issued
     */
    public static Nfs4Handle decode(MemorySegment fh) {
        if (fh.byteSize() != SIZE) {
            throw new FsException(FsError.BAD_HANDLE, "handle of " + fh.byteSize() + " bytes");
        }
        if (fh.get(ValueLayout.JAVA_BYTE, 0) != PSEUDO_MAGIC) {
            FileHandles.Handle h = FileHandles.decode(fh);
            return share(h.shareId(), h.inode());
        }
        byte[] a = fh.toArray(ValueLayout.JAVA_BYTE);
        ByteBuffer b = ByteBuffer.wrap(a);
        b.get();
        if (b.get() != PSEUDO_VERSION || b.getShort() != 0) {
            throw new FsException(FsError.BAD_HANDLE, "unknown pseudo handle version");
        }
        long id = b.getLong();
        if (b.getInt() != crc(a)) {
            throw new FsException(FsError.BAD_HANDLE, "handle checksum mismatch");
        }
        return pseudo(id);
    }

    private static int crc(byte[] a) {
        CRC32C c = new CRC32C();
        c.update(a, 0, 12);
        return (int) c.getValue();
    }
}
