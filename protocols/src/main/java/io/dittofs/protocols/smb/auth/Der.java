package io.dittofs.protocols.smb.auth;

import java.io.ByteArrayOutputStream;

/**
 * The little ASN.1 DER that SPNEGO (RFC 4178) needs: a bounds-checked TLV reader over a byte
 * range and a TLV writer. Definite lengths only, at most 4 length octets. Stateless helpers plus a
 * not-thread-safe {@link Reader}.
 */
final class Der {
    static final int SEQUENCE = 0x30;
    static final int OID = 0x06;
    static final int OCTET_STRING = 0x04;
    static final int ENUMERATED = 0x0A;
    static final int BIT_STRING = 0x03;
    static final int GENERAL_STRING = 0x1B;

    private Der() {
    }

    /** One element: its tag, where its encoding starts, and its value range. */
    record Tlv(int tag, int start, int valueOffset, int valueLength) {
        int end() {
            return valueOffset + valueLength;
        }
    }

    /** Reads consecutive elements from [pos, end) of a buffer. */
    static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        Reader(byte[] buf, Tlv inside) {
            this(buf, inside.valueOffset(), inside.end());
        }

        boolean hasMore() {
            return pos < end;
        }

        Tlv next() throws BadTokenException {
            int start = pos;
            if (end - pos < 2) {
                throw new BadTokenException("DER element truncated");
            }
            int tag = buf[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                throw new BadTokenException("DER high tag numbers not supported");
            }
            int first = buf[pos++] & 0xff;
            int length;
            if (first < 0x80) {
                length = first;
            } else {
                int n = first & 0x7f;
                if (n == 0 || n > 4 || end - pos < n) {
                    throw new BadTokenException("DER length invalid");
                }
                long l = 0;
                for (int i = 0; i < n; i++) {
                    l = (l << 8) | (buf[pos++] & 0xff);
                }
                if (l > Integer.MAX_VALUE) {
                    throw new BadTokenException("DER length too large");
                }
                length = (int) l;
            }
            if (length > end - pos) {
                throw new BadTokenException("DER value overruns its container");
            }
            Tlv tlv = new Tlv(tag, start, pos, length);
            pos += length;
            return tlv;
        }

        Tlv expect(int tag) throws BadTokenException {
            Tlv t = next();
            if (t.tag() != tag) {
                throw new BadTokenException("DER tag 0x" + Integer.toHexString(t.tag()) + " where 0x"
                        + Integer.toHexString(tag) + " was expected");
            }
            return t;
        }
    }

    static byte[] tlv(int tag, byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 6);
        out.write(tag);
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >>> 8);
            out.write(len);
        } else {
            out.write(0x84);
            out.write(len >>> 24);
            out.write(len >>> 16);
            out.write(len >>> 8);
            out.write(len);
        }
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Context-specific constructed tag [n]. */
    static int ctx(int n) {
        return 0xA0 | n;
    }
}
