package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbDropException;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.util.Arrays;

/**
 * IOCTL (MS-SMB2 2.2.31, 2.2.32, 3.3.5.15): FSCTL_VALIDATE_NEGOTIATE_INFO (a mismatch with what
 * NEGOTIATE saw drops the connection, 3.3.5.15.12), FSCTL_QUERY_NETWORK_INTERFACE_INFO (the
 * address the client reached), FSCTL_PIPE_TRANSCEIVE on the srvsvc pipe, FSCTL_GET_REPARSE_POINT
 * (never a reparse point), FSCTL_SRV_ENUMERATE_SNAPSHOTS (none), FSCTL_SRV_REQUEST_RESUME_KEY and
 * FSCTL_SRV_COPYCHUNK(_WRITE) (server-side copy, {@link CopyChunk}); everything else
 * STATUS_NOT_SUPPORTED. Stateless; thread-safe.
 */
public final class Ioctl implements SmbCommand {
    static final int FSCTL_VALIDATE_NEGOTIATE_INFO = 0x0014_0204;
    static final int FSCTL_QUERY_NETWORK_INTERFACE_INFO = 0x0014_01FC;
    static final int FSCTL_PIPE_TRANSCEIVE = 0x0011_C017;
    static final int FSCTL_GET_REPARSE_POINT = 0x0009_00A8;
    static final int FSCTL_SRV_ENUMERATE_SNAPSHOTS = 0x0014_4064;
    static final int FSCTL_SRV_REQUEST_RESUME_KEY = 0x0014_0078;
    static final int FSCTL_SRV_COPYCHUNK = 0x0014_40F2;
    static final int FSCTL_SRV_COPYCHUNK_WRITE = 0x0014_80F2;
    static final int IS_FSCTL = 0x1;
    private static final int MAX_INPUT = 64 * 1024;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        int base = out.position();
        try {
            return control(r, out);
        } catch (RuntimeException e) {
            out.position(base); // no half-written body: the dispatcher answers the error with an ERROR body
            throw e;
        }
    }

    private int control(SmbRequest r, SmbEncoder out) {
        r.structureSize(57);
        SmbDecoder in = r.in();
        int code = in.i32(68);
        long inOff = in.u32(88);
        long inCount = in.u32(92);
        long maxOut = in.u32(108);
        int flags = in.i32(112);
        if ((flags & IS_FSCTL) == 0) {
            return NtStatus.NOT_SUPPORTED;
        }
        if (inCount > MAX_INPUT) {
            return NtStatus.INVALID_PARAMETER;
        }
        byte[] input = inCount == 0 ? new byte[0] : in.bytes(inOff, inCount, MAX_INPUT);
        long fidP = in.i64(72);
        long fidV = in.i64(80);
        int base = out.position();
        int dataAt = base + 48;
        int room = (int) Math.max(0, Math.min(maxOut, out.remaining() - 48L)); // nothing is written before the result
        byte[] result;
        int status = NtStatus.SUCCESS;
        if ((code == FSCTL_VALIDATE_NEGOTIATE_INFO || code == FSCTL_QUERY_NETWORK_INTERFACE_INFO)
                && (fidP != -1L || fidV != -1L)) {
            return NtStatus.INVALID_PARAMETER; // these take no file: FileId all ones (3.3.5.15), as Samba
        }
        switch (code) {
            case FSCTL_VALIDATE_NEGOTIATE_INFO -> result = validate(r.conn(), input);
            case FSCTL_QUERY_NETWORK_INTERFACE_INFO -> result = interfaces(r.conn());
            case FSCTL_PIPE_TRANSCEIVE -> {
                Open o = r.open(72);
                if (o.pipe() == null) {
                    return NtStatus.INVALID_DEVICE_REQUEST;
                }
                result = o.pipe().transact(input, room);
            }
            case FSCTL_SRV_ENUMERATE_SNAPSHOTS -> {
                r.open(72);
                result = new byte[16]; // SRV_SNAPSHOT_ARRAY (2.2.32.2): no snapshots
            }
            case FSCTL_SRV_REQUEST_RESUME_KEY -> {
                Open o = r.open(72);
                if (o.pipe() != null) {
                    return NtStatus.INVALID_DEVICE_REQUEST;
                }
                result = CopyChunk.resumeKey(r.conn(), o);
            }
            case FSCTL_SRV_COPYCHUNK, FSCTL_SRV_COPYCHUNK_WRITE -> {
                CopyChunk.Outcome oc = copy(r, out, code, input, maxOut, dataAt);
                if (oc.response() == null) {
                    return oc.status();
                }
                result = oc.response();
                status = oc.status(); // a failed copy still answers SRV_COPYCHUNK_RESPONSE (2.2.32.1, 3.3.4.4), as Samba
            }
            case FSCTL_GET_REPARSE_POINT -> {
                r.open(72);
                return NtStatus.NOT_A_REPARSE_POINT;
            }
            default -> {
                r.open(72); // a closed or unknown FileId is reported before the unsupported control code
                return NtStatus.NOT_SUPPORTED;
            }
        }
        if (result.length > room) {
            return NtStatus.BUFFER_TOO_SMALL;
        }
        out.position(dataAt);
        out.bytes(result);
        int end = out.position();
        out.position(base);
        out.u16(49).u16(0).u32(code).u64(fidP).u64(fidV).u32(0).u32(0)
                .u32(result.length == 0 ? 0 : Smb2Header.SIZE + 48).u32(result.length).u32(0).u32(0);
        out.position(end);
        return status;
    }

    /**
     * How much reply buffer an IOCTL wants: its MaxOutputResponse, and for a copy-chunk room to
     * copy through as well (the dispatcher sizes the pooled reply buffer with this).
     */
    public static long replyRoom(SmbDecoder in) {
        long maxOut = in.u32(Smb2Header.SIZE + 44);
        return CopyChunk.isCopy(in.i32(Smb2Header.SIZE + 4)) ? Math.max(maxOut, CopyChunk.SCRATCH + 64) : maxOut;
    }

    /** Runs a copy-chunk onto the request's open, copying through the reply buffer's tail past the response. */
    private static CopyChunk.Outcome copy(SmbRequest r, SmbEncoder out, int code, byte[] input, long maxOut,
                                          int dataAt) {
        Open target = r.open(72);
        long scratchAt = dataAt + 16L;
        MemorySegment scratch = out.segment().asSlice(scratchAt, Math.max(0, out.buffer().limit() - scratchAt));
        return CopyChunk.copy(r, target, input, maxOut, code == FSCTL_SRV_COPYCHUNK, scratch);
    }

    /** VALIDATE_NEGOTIATE_INFO request: Capabilities(4) Guid(16) SecurityMode(2) DialectCount(2) Dialects. */
    private static byte[] validate(ConnState conn, byte[] input) {
        if (conn.dialect() == SmbConfig.SMB_311) {
            throw new SmbDropException("VALIDATE_NEGOTIATE_INFO on a 3.1.1 connection");
        }
        SmbDecoder d = new SmbDecoder(java.lang.foreign.MemorySegment.ofArray(input));
        int caps = d.i32(0);
        byte[] guid = d.bytes(4, 16, 16);
        int secMode = d.u16(20);
        int count = d.u16(22);
        if (count > 64) {
            throw new SmbDropException("VALIDATE_NEGOTIATE_INFO with " + count + " dialects");
        }
        int[] dialects = new int[count];
        for (int i = 0; i < count; i++) {
            dialects[i] = d.u16(24 + 2L * i);
        }
        if (caps != conn.clientCapabilities() || !Arrays.equals(guid, conn.clientGuid())
                || secMode != conn.clientSecurityMode() || !Arrays.equals(dialects, conn.clientDialects())) {
            throw new SmbDropException("VALIDATE_NEGOTIATE_INFO does not match NEGOTIATE");
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(conn.serverCapabilities()).put(Negotiate.guidBytes(conn.config()))
                .putShort((short) conn.serverSecurityMode()).putShort((short) conn.dialect());
        return b.array();
    }

    /** One NETWORK_INTERFACE_INFO (2.2.32.5) for the address the client connected to. */
    private static byte[] interfaces(ConnState conn) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(152).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(1).putInt(0).putInt(0).putLong(1_000_000_000L);
        if (conn.local() != null && conn.local().getAddress() instanceof Inet4Address v4) {
            b.putShort((short) 2).putShort((short) 0).put(v4.getAddress());
        } else if (conn.local() != null) {
            b.putShort((short) 23).putShort((short) 0).putInt(0).put(conn.local().getAddress().getAddress());
        }
        return b.array();
    }
}
