package io.dittofs.protocols.smb.dcerpc;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code srvsvc} named pipe: connection-oriented DCE/RPC (C706 chapter 12, MS-RPCE 2.2.2) over
 * SMB pipe writes and reads. BIND/ALTER_CONTEXT accept the srvsvc interface (v3.0) with the NDR 2.0
 * transfer syntax and reject other presentation contexts; REQUEST runs NetrShareEnumAll (15) and
 * NetrShareGetInfo (16) and answers other opnums with a fault (nca_s_op_rng_error). Requests may
 * arrive in fragments (reassembled up to {@link #MAX_STUB}); responses are fragmented to the
 * negotiated size. Malformed PDUs get a nca_proto_error fault and the pending input is dropped.
 *
 * <p>Not thread-safe: one instance per open of the pipe (SMB serializes a pipe handle's I/O).
 */
public final class SrvsvcPipe {
    static final int MAX_STUB = 64 * 1024;
    static final int HEADER = 16;
    static final int BIND = 11;
    static final int BIND_ACK = 12;
    static final int ALTER_CONTEXT = 14;
    static final int ALTER_CONTEXT_RESP = 15;
    static final int REQUEST = 0;
    static final int RESPONSE = 2;
    static final int FAULT = 3;
    static final int FIRST_FRAG = 0x01;
    static final int LAST_FRAG = 0x02;
    static final int OBJECT_UUID = 0x80;
    static final int NCA_OP_RNG_ERROR = 0x1c010002;
    static final int NCA_UNK_IF = 0x1c010003;
    static final int NCA_PROTO_ERROR = 0x1c01000b;
    private static final int MAX_FRAG = 4280;

    private final Supplier<List<ShareInfo>> shares;
    private final ByteArrayOutputStream pendingIn = new ByteArrayOutputStream();
    private final ByteArrayOutputStream request = new ByteArrayOutputStream();
    private byte[] out = new byte[0];
    private int outPos;
    private int maxXmit = MAX_FRAG;
    private int acceptedContext = -1;

    public SrvsvcPipe(Supplier<List<ShareInfo>> shares) {
        this.shares = shares;
    }

    /** Client → pipe bytes: whole or partial PDUs; complete PDUs are answered at once. */
    public void write(byte[] data) {
        pendingIn.writeBytes(data);
        byte[] in = pendingIn.toByteArray();
        int pos = 0;
        while (in.length - pos >= HEADER) {
            int fragLength = u16(in, pos + 8);
            if (in[pos] != 5 || in[pos + 1] != 0 || fragLength < HEADER || (in[pos + 4] & 0xf0) != 0x10) {
                emit(fault(u32(in, pos + 12), 0, NCA_PROTO_ERROR));
                pendingIn.reset();
                request.reset();
                return;
            }
            if (in.length - pos < fragLength) {
                break;
            }
            handle(Arrays.copyOfRange(in, pos, pos + fragLength));
            pos += fragLength;
        }
        pendingIn.reset();
        pendingIn.write(in, pos, in.length - pos);
    }

    /** Pipe → client: up to {@code max} bytes of pending response PDUs (possibly none). */
    public byte[] read(int max) {
        int n = Math.max(0, Math.min(max, out.length - outPos));
        byte[] chunk = Arrays.copyOfRange(out, outPos, outPos + n);
        outPos += n;
        return chunk;
    }

    /** FSCTL_PIPE_TRANSCEIVE: {@link #write} then {@link #read}. */
    public byte[] transact(byte[] in, int maxOut) {
        write(in);
        return read(maxOut);
    }

    /** Bytes written by the server and not read yet. */
    public int available() {
        return out.length - outPos;
    }

    private void handle(byte[] pdu) {
        int callId = u32(pdu, 12);
        try {
            switch (pdu[2]) {
                case BIND -> emit(bind(pdu, BIND_ACK));
                case ALTER_CONTEXT -> emit(bind(pdu, ALTER_CONTEXT_RESP));
                case REQUEST -> request(pdu, callId);
                default -> throw new BadPduException("unsupported PDU type " + pdu[2]);
            }
        } catch (BadPduException e) {
            request.reset();
            emit(fault(callId, 0, NCA_PROTO_ERROR));
        }
    }

    private byte[] bind(byte[] pdu, int ackType) throws BadPduException {
        Bind.Result r = Bind.accept(pdu, ackType == BIND_ACK);
        maxXmit = r.maxXmit();
        if (r.acceptedContext() >= 0) {
            acceptedContext = r.acceptedContext();
        }
        return r.ack();
    }

    private void request(byte[] pdu, int callId) throws BadPduException {
        int flags = pdu[3] & 0xff;
        int authLength = u16(pdu, 10);
        int stubOff = HEADER + 8 + ((flags & OBJECT_UUID) != 0 ? 16 : 0);
        int stubEnd = pdu.length - (authLength > 0 ? authLength + 8 : 0);
        if (stubEnd < stubOff) {
            throw new BadPduException("REQUEST shorter than its header");
        }
        if ((flags & FIRST_FRAG) != 0) {
            request.reset();
        }
        if (request.size() + stubEnd - stubOff > MAX_STUB) {
            throw new BadPduException("request stub too large");
        }
        request.write(pdu, stubOff, stubEnd - stubOff);
        if ((flags & LAST_FRAG) == 0) {
            return;
        }
        int context = u16(pdu, 20);
        int opnum = u16(pdu, 22);
        byte[] stub = request.toByteArray();
        request.reset();
        if (context != acceptedContext) {
            emit(fault(callId, context, NCA_UNK_IF));
            return;
        }
        byte[] result;
        switch (opnum) {
            case SrvsvcCalls.OPNUM_SHARE_ENUM_ALL -> result = SrvsvcCalls.shareEnumAll(stub, shares.get());
            case SrvsvcCalls.OPNUM_SHARE_GET_INFO -> result = SrvsvcCalls.shareGetInfo(stub, shares.get());
            default -> {
                emit(fault(callId, context, NCA_OP_RNG_ERROR));
                return;
            }
        }
        emitResponse(callId, context, result);
    }

    private void emitResponse(int callId, int context, byte[] stub) {
        int room = Math.max(8, (maxXmit - HEADER - 8) & ~7);
        int pos = 0;
        do {
            int n = Math.min(room, stub.length - pos);
            int flags = (pos == 0 ? FIRST_FRAG : 0) | (pos + n == stub.length ? LAST_FRAG : 0);
            byte[] pdu = header(RESPONSE, flags, HEADER + 8 + n, callId);
            put32(pdu, 16, stub.length - pos);
            put16(pdu, 20, context);
            System.arraycopy(stub, pos, pdu, 24, n);
            emit(pdu);
            pos += n;
        } while (pos < stub.length);
    }

    static byte[] fault(int callId, int context, int status) {
        byte[] pdu = header(FAULT, FIRST_FRAG | LAST_FRAG, 32, callId);
        put16(pdu, 20, context);
        put32(pdu, 24, status);
        return pdu;
    }

    static byte[] header(int type, int flags, int length, int callId) {
        byte[] pdu = new byte[length];
        pdu[0] = 5;
        pdu[2] = (byte) type;
        pdu[3] = (byte) flags;
        pdu[4] = 0x10; // little-endian integers, ASCII, IEEE floats
        put16(pdu, 8, length);
        put32(pdu, 12, callId);
        return pdu;
    }

    private void emit(byte[] pdu) {
        byte[] rest = Arrays.copyOfRange(out, outPos, out.length);
        out = Arrays.copyOf(rest, rest.length + pdu.length);
        System.arraycopy(pdu, 0, out, rest.length, pdu.length);
        outPos = 0;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static int u32(byte[] b, int at) {
        return u16(b, at) | u16(b, at + 2) << 16;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    static void put32(byte[] b, int at, int v) {
        put16(b, at, v);
        put16(b, at + 2, v >>> 16);
    }
}
