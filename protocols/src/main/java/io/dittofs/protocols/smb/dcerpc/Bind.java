package io.dittofs.protocols.smb.dcerpc;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * BIND / ALTER_CONTEXT → BIND_ACK / ALTER_CONTEXT_RESP (C706 12.6.4.3–4): each presentation
 * context is accepted if it names srvsvc 3.0 and offers NDR 2.0, else rejected. Stateless.
 */
final class Bind {
    /** 4b324fc8-1670-01d3-1278-5a47bf6ee188 version 3.0, as on the wire. */
    static final byte[] SRVSVC = uuid("c84f324b7016d3011278" + "5a47bf6ee188", 3);
    /** 8a885d04-1ceb-11c9-9fe8-08002b104860 version 2. */
    static final byte[] NDR = uuid("045d888aeb1cc9119fe8" + "08002b104860", 2);
    private static final int MAX_CONTEXTS = 16;

    private Bind() {
    }

    record Result(byte[] ack, int acceptedContext, int maxXmit) {}

    private static byte[] uuid(String hex, int version) {
        byte[] b = Arrays.copyOf(java.util.HexFormat.of().parseHex(hex), 20);
        b[16] = (byte) version;
        return b;
    }

    static Result accept(byte[] pdu, boolean bind) throws BadPduException {
        if (pdu.length < 28) {
            throw new BadPduException("BIND truncated");
        }
        int maxRecv = SrvsvcPipe.u16(pdu, 18);
        int maxXmit = Math.max(1024, Math.min(4280, maxRecv));
        int assoc = SrvsvcPipe.u32(pdu, 20);
        int count = pdu[24] & 0xff;
        if (count > MAX_CONTEXTS) {
            throw new BadPduException("too many presentation contexts");
        }
        ByteArrayOutputStream results = new ByteArrayOutputStream();
        results.write(count);
        results.writeBytes(new byte[3]);
        int pos = 28;
        int accepted = -1;
        for (int i = 0; i < count; i++) {
            if (pdu.length - pos < 24) {
                throw new BadPduException("presentation context truncated");
            }
            int contextId = SrvsvcPipe.u16(pdu, pos);
            int syntaxes = pdu[pos + 2] & 0xff;
            boolean srvsvc = Arrays.equals(pdu, pos + 4, pos + 24, SRVSVC, 0, 20);
            pos += 24;
            if (pdu.length - pos < 20 * syntaxes) {
                throw new BadPduException("transfer syntaxes truncated");
            }
            boolean ndr = false;
            for (int s = 0; s < syntaxes; s++, pos += 20) {
                ndr |= Arrays.equals(pdu, pos, pos + 20, NDR, 0, 20);
            }
            boolean ok = srvsvc && ndr && accepted < 0;
            if (ok) {
                accepted = contextId;
            }
            // result: 0 acceptance, 2 provider rejection; reason 1 abstract syntax, 2 transfer syntaxes
            results.writeBytes(new byte[] {(byte) (ok ? 0 : 2), 0, (byte) (ok ? 0 : srvsvc ? 2 : 1), 0});
            results.writeBytes(ok ? NDR : new byte[20]);
        }
        byte[] secAddr = bind ? "\\PIPE\\srvsvc\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII) : new byte[0];
        int secLen = 2 + secAddr.length;
        int pad = (4 - ((SrvsvcPipe.HEADER + 8 + secLen) % 4)) % 4;
        byte[] res = results.toByteArray();
        int length = SrvsvcPipe.HEADER + 8 + secLen + pad + res.length;
        byte[] ack = SrvsvcPipe.header(bind ? SrvsvcPipe.BIND_ACK : SrvsvcPipe.ALTER_CONTEXT_RESP,
                SrvsvcPipe.FIRST_FRAG | SrvsvcPipe.LAST_FRAG, length, SrvsvcPipe.u32(pdu, 12));
        SrvsvcPipe.put16(ack, 16, maxXmit);
        SrvsvcPipe.put16(ack, 18, maxXmit);
        SrvsvcPipe.put32(ack, 20, assoc == 0 ? 0x53f0 : assoc);
        SrvsvcPipe.put16(ack, 24, secAddr.length);
        System.arraycopy(secAddr, 0, ack, 26, secAddr.length);
        System.arraycopy(res, 0, ack, SrvsvcPipe.HEADER + 8 + secLen + pad, res.length);
        return new Result(ack, accepted, maxXmit);
    }
}
