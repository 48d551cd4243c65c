package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.XattrOps;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.CharacterCodingException;

/**
 * The codecs shared by the RFC 8276 operations (GETXATTR, SETXATTR, LISTXATTRS, REMOVEXATTR) and
 * their registration. Names are {@code xattrkey4} ({@code component4}): the user namespace
 * without its {@code user.} prefix, as the Linux client sends them. Stateless.
 */
public final class Xattrs4 {
    /** Longest {@code xattrkey4} read before it is judged (longer than 255 bytes is NFS4ERR_NAMETOOLONG). */
    private static final int KEY_WIRE_MAX = 4096;

    private Xattrs4() {
    }

    /** Adds the four xattr operations (4.2 only) to {@code table}. */
    public static void registerAll(Nfs4Ops table) {
        table.register(GetxattrOp.INSTANCE)
                .register(SetxattrOp.INSTANCE)
                .register(ListxattrsOp.INSTANCE)
                .register(RemovexattrOp.INSTANCE);
    }

    /**
     * An {@code xattrkey4}: empty, not UTF-8 or holding NUL is NFS4ERR_INVAL, over
     * {@link XattrOps#NAME_MAX} bytes NFS4ERR_NAMETOOLONG. Unlike a file name it may hold '/'.
     */
    static String key(XdrDecoder a) {
        MemorySegment raw = a.readOpaque(KEY_WIRE_MAX);
        if (raw.byteSize() == 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "empty xattr name");
        }
        if (raw.byteSize() > XattrOps.NAME_MAX) {
            throw new Nfs4Exception(Nfs4Status.NAMETOOLONG);
        }
        String s;
        try {
            s = XdrDecoder.utf8(raw);
        } catch (CharacterCodingException e) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "xattr name not UTF-8");
        }
        if (s.indexOf('\0') >= 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "xattr name holds NUL");
        }
        return s;
    }

    /**
     * An {@code xattrvalue4}: the length is judged before any byte is read or allocated, so a
     * value over {@link XattrOps#VALUE_MAX} is NFS4ERR_XATTR2BIG whatever the message holds.
     * The value is copied: the store keeps it.
     */
    static byte[] value(XdrDecoder a) {
        long len = a.readUnsignedInt();
        if (len > XattrOps.VALUE_MAX) {
            throw new Nfs4Exception(Nfs4Status.XATTR2BIG, "xattr value of " + len + " bytes");
        }
        return a.readOpaqueFixed((int) len).toArray(ValueLayout.JAVA_BYTE);
    }
}
