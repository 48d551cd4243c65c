package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Results;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

import java.lang.foreign.MemorySegment;

/**
 * READ (MS-SMB2 2.2.19, 2.2.20, 3.3.5.12): the data is read by the file system straight into the
 * response buffer (no copy); a multi-credit read must carry CreditCharge of at least one credit
 * per 64 KiB (3.3.5.2.5). Reads on the srvsvc pipe return its pending output. Stateless; thread-safe.
 */
public final class Read implements SmbCommand {
    static final int DATA_OFFSET = Smb2Header.SIZE + 16;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(49);
        SmbDecoder in = r.in();
        long length = in.u32(68);
        long offset = in.i64(72);
        Open o = r.open(80);
        long minimum = in.u32(96);
        int status = checkSize(r, length);
        if (status != NtStatus.SUCCESS) {
            return status;
        }
        int base = out.position();
        if (o.pipe() != null) {
            byte[] data = o.pipe().read((int) Math.min(length, out.remaining() - 16));
            if (data.length == 0) {
                return NtStatus.END_OF_FILE;
            }
            out.u16(17).u8(DATA_OFFSET).u8(0).u32(data.length).u32(0).u32(0).bytes(data);
            return NtStatus.SUCCESS;
        }
        if (o.directory()) {
            return NtStatus.INVALID_DEVICE_REQUEST;
        }
        if ((o.access() & (Access.READ_DATA | Access.EXECUTE)) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        if (offset < 0 || offset + length < 0) {
            return NtStatus.INVALID_PARAMETER; // beyond 2^63 - 1, as Samba
        }
        if (minimum > length) {
            return NtStatus.END_OF_FILE; // fewer bytes than MinimumCount can never be returned
        }
        if (length == 0) {
            out.u16(17).u8(DATA_OFFSET).u8(0).u32(0).u32(0).u32(0);
            return NtStatus.SUCCESS;
        }
        int n = (int) Math.min(length, out.remaining() - 16);
        status = Lock.checkIo(r, o, false, offset, n);
        if (status != NtStatus.SUCCESS) {
            return status;
        }
        MemorySegment dst = out.segment().asSlice(base + 16, n);
        Results.Read res = o.tree().share().fs().read(o.tree().authorize(false), o.inode(), offset, dst);
        if (res.count() == 0 && length > 0 || res.count() < minimum) {
            return NtStatus.END_OF_FILE;
        }
        o.position(offset + res.count()); // FilePositionInformation follows the last read, as Samba
        out.u16(17).u8(DATA_OFFSET).u8(0).u32(res.count()).u32(0).u32(0);
        out.position(base + 16 + res.count());
        return NtStatus.SUCCESS;
    }

    /**
     * Length within the MaxReadSize/MaxWriteSize NEGOTIATE gave (8 MiB, 64 KiB for 2.0.2) and paid
     * for by the CreditCharge, one credit per 64 KiB (dialects 2.1 and up, MS-SMB2 3.3.5.2.5).
     */
    static int checkSize(SmbRequest r, long length) {
        SmbConfig cfg = r.conn().config();
        if (length > cfg.maxIo(r.conn().dialect())) {
            return NtStatus.INVALID_PARAMETER;
        }
        if (r.conn().dialect() >= SmbConfig.SMB_210) {
            long needed = Math.max(1, (length + SmbConfig.CREDIT_BYTES - 1) / SmbConfig.CREDIT_BYTES);
            if (Math.max(1, r.header().creditCharge()) < needed) {
                return NtStatus.INVALID_PARAMETER;
            }
        }
        return NtStatus.SUCCESS;
    }
}
