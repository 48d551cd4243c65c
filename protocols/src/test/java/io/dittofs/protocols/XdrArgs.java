package io.dittofs.protocols;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A fluent builder of XDR bytes for test requests, independent of the production encoder so the
 * tests do not share its bugs. Public because tests in several packages use it. Not thread-safe.
 */
public final class XdrArgs {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static XdrArgs xdr() {
        return new XdrArgs();
    }

    public XdrArgs int32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public XdrArgs int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    public XdrArgs bool(boolean b) {
        return int32(b ? 1 : 0);
    }

    /** Fixed-length opaque: the bytes and zero padding to a multiple of 4. */
    public XdrArgs opaqueFixed(byte[] b) {
        out.writeBytes(b);
        for (int i = b.length; i % 4 != 0; i++) {
            out.write(0);
        }
        return this;
    }

    public XdrArgs opaque(byte[] b) {
        return int32(b.length).opaqueFixed(b);
    }

    public XdrArgs string(String s) {
        return opaque(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Raw bytes, no length and no padding (for deliberately malformed input). */
    public XdrArgs raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public byte[] build() {
        return out.toByteArray();
    }

    /** Reads a variable-length opaque (length, data, padding) from a big-endian buffer. */
    public static byte[] readOpaque(ByteBuffer b) {
        int len = b.getInt();
        byte[] data = new byte[len];
        b.get(data);
        b.position(b.position() + ((4 - len % 4) % 4));
        return data;
    }

    public static String readString(ByteBuffer b) {
        return new String(readOpaque(b), StandardCharsets.UTF_8);
    }
}
