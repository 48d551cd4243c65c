package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import io.dittofs.core.lock.Conflict;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockType;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.StateTable;
import io.dittofs.protocols.xdr.XdrEncoder;

/** Shared pieces of LOCK, LOCKT and LOCKU: lock types, range checks, LOCK4denied. Stateless. */
final class Locks {
    private Locks() {
    }

    /** nfs_lock_type4: READ_LT 1, WRITE_LT 2, READW_LT 3, WRITEW_LT 4. */
    static LockType type(int t) {
        return switch (t) {
            case 1, 3 -> LockType.READ;
            case 2, 4 -> LockType.WRITE;
            default -> throw new Nfs4Exception(Nfs4Status.BADXDR, "lock type " + t);
        };
    }

    /** RFC 7530 section 16.10.4: a zero length, or a range past 2^64 - 1, is NFS4ERR_INVAL. */
    static void checkRange(long offset, long length) {
        if (length == 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "zero-length lock");
        }
        if (length != -1L && Long.compareUnsigned(length, -1L - offset) > 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "lock range past 2^64");
        }
    }

    /** RFC 7530 section 16.11.5: locks exist on regular files; a directory is NFS4ERR_ISDIR, anything else NFS4ERR_INVAL. */
    static void checkLockable(Inode n) {
        if (n.type() == FileType.DIRECTORY) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        if (n.type() != FileType.REGULAR) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "lock on a " + n.type());
        }
    }

    static FileKey fileKey(Nfs4Handle fh) {
        if (fh.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        return new FileKey(fh.shareId(), fh.id());
    }

    /** NFS4ERR_DENIED with LOCK4denied {offset4; length4; nfs_lock_type4; lock_owner4 owner}. */
    static void writeDenied(XdrEncoder res, Conflict c) {
        res.writeInt(Nfs4Status.DENIED);
        res.writeLong(c.offset());
        res.writeLong(c.length());
        res.writeInt(c.type() == LockType.WRITE ? 2 : 1);
        long clientId = 0;
        if (c.owner().protocol().equals(StateTable.PROTOCOL)) {
            try {
                clientId = Long.parseUnsignedLong(c.owner().clientId(), 16);
            } catch (NumberFormatException e) {
                clientId = 0;
            }
        }
        res.writeLong(clientId);
        byte[] owner = c.owner().owner();
        res.writeOpaque(owner.length > 1024 ? new byte[0] : owner);
    }
}
