package io.dittofs.protocols.smb.dcerpc;

import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked little-endian NDR 2.0 reader (C706 chapter 14) over a stub; alignment is
 * relative to the stub start. Not thread-safe.
 */
final class NdrReader {
    /** Longest string accepted, in UTF-16 units (share and server names are far shorter). */
    static final int MAX_STRING = 1024;
    private final byte[] buf;
    private int pos;

    NdrReader(byte[] buf) {
        this.buf = buf;
    }

    int u32() throws BadPduException {
        align(4);
        need(4);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    /** A conformant varying wide string: max_count, offset, actual_count, then the units. */
    String string() throws BadPduException {
        int max = u32();
        int offset = u32();
        int actual = u32();
        if (max < 0 || max > MAX_STRING || offset != 0 || actual < 0 || actual > max) {
            throw new BadPduException("NDR string bounds invalid");
        }
        need(2 * actual);
        String s = new String(buf, pos, 2 * actual, StandardCharsets.UTF_16LE);
        pos += 2 * actual;
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    private void align(int n) throws BadPduException {
        int pad = (n - (pos % n)) % n;
        need(pad);
        pos += pad;
    }

    private void need(int n) throws BadPduException {
        if (n < 0 || n > buf.length - pos) {
            throw new BadPduException("NDR stub truncated");
        }
    }
}
