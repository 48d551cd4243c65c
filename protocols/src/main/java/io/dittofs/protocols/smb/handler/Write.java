package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Results;
import io.dittofs.core.Stability;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * WRITE (MS-SMB2 2.2.21, 2.2.22, 3.3.5.13): the data is a slice of the receive buffer handed to
 * the file system as NFS hands it: UNSTABLE (write-back cache) unless WRITE_THROUGH asks for
 * FILE_SYNC; FLUSH forces. An offset of all ones appends. Writes on the srvsvc pipe feed it.
 * Stateless; thread-safe.
 */
public final class Write implements SmbCommand {
    static final int WRITEFLAG_WRITE_THROUGH = 0x1;
    /** The end of the largest file a write may reach (Samba's MAXFILESIZE, 2^44 - 2^16). */
    static final long MAX_END = 0xfffffff0000L;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(49);
        SmbDecoder in = r.in();
        int dataOffset = in.u16(66);
        long length = in.u32(68);
        long offset = in.i64(72);
        Open o = r.open(80);
        int flags = in.i32(108);
        int status = Read.checkSize(r, length);
        if (status != NtStatus.SUCCESS) {
            return status;
        }
        MemorySegment data = in.slice(dataOffset, length);
        if (o.pipe() != null) {
            o.pipe().write(data.toArray(ValueLayout.JAVA_BYTE));
            out.u16(17).u16(0).u32(length).u32(0).u16(0).u16(0);
            return NtStatus.SUCCESS;
        }
        if (o.directory()) {
            return NtStatus.INVALID_DEVICE_REQUEST;
        }
        if ((o.access() & (Access.WRITE_DATA | Access.APPEND_DATA)) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        var fs = o.tree().share().fs();
        var ctx = o.tree().authorize(true);
        boolean appendOnly = (o.access() & Access.WRITE_DATA) == 0;
        if (offset == -1L && appendOnly) {
            offset = fs.getattr(o.inode()).size(); // MS-SMB2 3.3.5.13: append on an append-only open
        } else if (offset < 0 || offset + length < 0 || offset + length > MAX_END && length > 0) {
            return NtStatus.INVALID_PARAMETER; // as Samba (smbtorture smb2.rw.invalid)
        }
        if (length == 0) {
            out.u16(17).u16(0).u32(0).u32(0).u16(0).u16(0);
            return NtStatus.SUCCESS;
        }
        status = Lock.checkIo(r, o, true, offset, length);
        if (status != NtStatus.SUCCESS) {
            return status;
        }
        Stability how = (flags & WRITEFLAG_WRITE_THROUGH) != 0 ? Stability.FILE_SYNC : Stability.UNSTABLE;
        Results.Written w = fs.write(ctx, o.inode(), offset, data, how);
        o.position(offset + w.count());
        out.u16(17).u16(0).u32(w.count()).u32(0).u16(0).u16(0);
        return NtStatus.SUCCESS;
    }
}
