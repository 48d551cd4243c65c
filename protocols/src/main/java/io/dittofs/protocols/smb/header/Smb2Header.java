package io.dittofs.protocols.smb.header;

import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.codec.SmbFormatException;

/**
 * The 64-byte SMB2 packet header (MS-SMB2 2.2.1.1 async, 2.2.1.2 sync):
 * <pre>
 * ProtocolId(4)=0xFE 'S' 'M' 'B'  StructureSize(2)=64  CreditCharge(2)
 * Status/ChannelSequence(4)  Command(2)  CreditRequest/Response(2)  Flags(4)  NextCommand(4)
 * MessageId(8)  [sync: Reserved/ProcessId(4) TreeId(4) | async: AsyncId(8)]  SessionId(8)  Signature(16)
 * </pre>
 * Immutable.
 */
public record Smb2Header(int creditCharge, int status, int command, int credits, int flags, int nextCommand,
                         long messageId, long asyncId, int processId, int treeId, long sessionId) {
    public static final int SIZE = 64;
    public static final int PROTOCOL_ID = 0x424D53FE; // 0xFE 'S' 'M' 'B' read little-endian
    public static final int SIGNATURE_OFFSET = 48;

    public static final int FLAG_SERVER_TO_REDIR = 0x0000_0001;
    public static final int FLAG_ASYNC = 0x0000_0002;
    public static final int FLAG_RELATED = 0x0000_0004;
    public static final int FLAG_SIGNED = 0x0000_0008;
    public static final int FLAG_PRIORITY_MASK = 0x0000_0070;
    public static final int FLAG_DFS = 0x1000_0000;
    public static final int FLAG_REPLAY = 0x2000_0000;

    public boolean isRelated() {
        return (flags & FLAG_RELATED) != 0;
    }

    public boolean isSigned() {
        return (flags & FLAG_SIGNED) != 0;
    }

    public boolean isAsync() {
        return (flags & FLAG_ASYNC) != 0;
    }

    /** Decodes the header at offset 0 of {@code d}; checks the protocol id and structure size. */
    public static Smb2Header decode(SmbDecoder d) {
        if (d.size() < SIZE) {
            throw new SmbFormatException("truncated SMB2 header: " + d.size() + " bytes");
        }
        if (d.i32(0) != PROTOCOL_ID) {
            throw new SmbFormatException("not an SMB2 header");
        }
        if (d.u16(4) != SIZE) {
            throw new SmbFormatException("header StructureSize " + d.u16(4));
        }
        int flags = d.i32(16);
        boolean async = (flags & FLAG_ASYNC) != 0;
        return new Smb2Header(d.u16(6), d.i32(8), d.u16(12), d.u16(14), flags, d.i32(20), d.i64(24),
                async ? d.i64(32) : 0, async ? 0 : d.i32(32), async ? 0 : d.i32(36), d.i64(40));
    }

    /** Writes this header at the encoder's position (signature zeroed). */
    public void encode(SmbEncoder e) {
        e.u32(PROTOCOL_ID).u16(SIZE).u16(creditCharge).u32(status).u16(command).u16(credits).u32(flags)
                .u32(nextCommand).u64(messageId);
        if ((flags & FLAG_ASYNC) != 0) {
            e.u64(asyncId);
        } else {
            e.u32(processId).u32(treeId);
        }
        e.u64(sessionId).zeros(16);
    }
}
