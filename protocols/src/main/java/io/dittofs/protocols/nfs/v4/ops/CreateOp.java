package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FileType;
import io.dittofs.core.Names;
import io.dittofs.core.Results;
import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.Fattr4Set;
import io.dittofs.protocols.nfs.v4.Fattr4Values;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;

import java.lang.foreign.MemorySegment;
import java.nio.charset.CharacterCodingException;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * CREATE (RFC 8881 section 18.4): a directory, symbolic link, FIFO, socket or device (regular files come from OPEN: NFS4ERR_BADTYPE) in the current directory, which the new object replaces as current filehandle; returns change_info4 and the attributes set.
 * Stateless singleton; thread-safe.
 */
final class CreateOp implements Nfs4Op {
    static final CreateOp INSTANCE = new CreateOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_CREATE;
    }

    private static String linkText(MemorySegment raw) {
        if (raw.byteSize() == 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "empty link text");
        }
        try {
            return XdrDecoder.utf8(raw);
        } catch (CharacterCodingException e) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "link text not UTF-8");
        }
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        int type = args.readInt();
        String link = null;
        long rdev = 0;
        switch (type) {
            case Fattr4Values.NF4LNK -> link = linkText(args.readOpaque(Names.PATH_MAX));
            case Fattr4Values.NF4BLK, Fattr4Values.NF4CHR -> rdev = (args.readUnsignedInt() << 32) | args.readUnsignedInt();
            case Fattr4Values.NF4SOCK, Fattr4Values.NF4FIFO, Fattr4Values.NF4DIR -> {
            }
            default -> throw new Nfs4Exception(Nfs4Status.BADTYPE, "createtype4 " + type);
        }
        String name = Objects4.name(args);
        Fattr4Set.Decoded attrs = Fattr4Set.read(args, ctx);
        FileTarget t = Objects4.dirForChange(ctx, h);
        Results.Created c = switch (type) {
            case Fattr4Values.NF4DIR -> t.fs().mkdir(t.ctx(), t.inode(), name, attrs.attrs());
            case Fattr4Values.NF4LNK -> t.fs().symlink(t.ctx(), t.inode(), name, link, attrs.attrs());
            case Fattr4Values.NF4BLK -> t.fs().mknod(t.ctx(), t.inode(), name, FileType.BLOCK_DEVICE, rdev, attrs.attrs());
            case Fattr4Values.NF4CHR -> t.fs().mknod(t.ctx(), t.inode(), name, FileType.CHAR_DEVICE, rdev, attrs.attrs());
            case Fattr4Values.NF4SOCK -> t.fs().mknod(t.ctx(), t.inode(), name, FileType.SOCKET, 0, attrs.attrs());
            default -> t.fs().mknod(t.ctx(), t.inode(), name, FileType.FIFO, 0, attrs.attrs());
        };
        ctx.setCurrentFh(t.handle(c.child().id()));
        res.writeInt(Nfs4Status.OK);
        Objects4.changeInfo(res, c.dir());
        Fattr4.writeBitmap(res, attrs.mask());
    }
}
